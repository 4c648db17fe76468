package dev.zerogate.client.login;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * The claims of an access token, read for display and to name this device in requests. Not
 * verified: the services verify tokens; the CLI only reads what it holds.
 *
 * @param deviceId the enrolled device the token names ({@code zg_dev}), empty if none; policy-svc
 *                 requires exactly this id in requests that carry a device id
 */
public record AccessTokenView(String subject, String username, String sessionId, Instant issuedAt, Instant expiresAt,
                              String deviceKeyThumbprint, String deviceId) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static AccessTokenView decode(String token) throws IOException {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            throw new IOException("the stored access token is not a JWT");
        }
        JsonNode claims = JSON.readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        return new AccessTokenView(claims.path("sub").asText(), claims.path("preferred_username").asText(claims.path("sub").asText()),
                claims.path("sid").asText(), Instant.ofEpochSecond(claims.path("iat").asLong()), Instant.ofEpochSecond(claims.path("exp").asLong()),
                claims.path("cnf").path("jkt").asText(""), claims.path("zg_dev").asText(""));
    }
}
