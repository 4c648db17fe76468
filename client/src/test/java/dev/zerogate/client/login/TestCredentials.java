package dev.zerogate.client.login;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/** Credentials as a login leaves them, with JWT-shaped access tokens (the CLI reads claims, it does not verify them). */
final class TestCredentials {

    static final String SERVER = "http://127.0.0.1:1";

    private TestCredentials() {
    }

    /** An unsigned JWT with the claims the CLI reads; {@code label} makes tokens of the same times distinct. */
    static String accessToken(String label, Instant issuedAt, Instant expiresAt, String deviceId) {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String claims = "{\"sub\":\"u-1\",\"preferred_username\":\"ada\",\"sid\":\"s-1\",\"jti\":\"" + label + "\",\"iat\":"
                + issuedAt.getEpochSecond() + ",\"exp\":" + expiresAt.getEpochSecond() + ",\"zg_dev\":\"" + deviceId + "\"}";
        return base64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + base64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".sig";
    }

    /** Credentials whose access token was issued at {@code issuedAt} and lives {@code lifetimeSeconds}. */
    static LoginCredentials issued(String label, Instant issuedAt, long lifetimeSeconds) {
        Instant expiresAt = issuedAt.plusSeconds(lifetimeSeconds);
        return new LoginCredentials(SERVER, accessToken(label, issuedAt, expiresAt, "d-1"), "refresh-" + label,
                expiresAt.getEpochSecond(), "http://127.0.0.1:2");
    }
}
