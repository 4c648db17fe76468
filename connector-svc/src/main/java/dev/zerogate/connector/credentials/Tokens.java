package dev.zerogate.connector.credentials;

import java.time.Instant;
import java.util.Objects;

/**
 * A connector's tokens: a short-lived access token and the single-use refresh token that gets
 * the next pair. Secret: {@link #toString()} shows only the expiry times.
 *
 * @param accessToken           bearer token for policy-svc and the relays (a JWT, at most 4096 bytes)
 * @param accessTokenExpiresAt  when identity-svc stops accepting it (15 minutes after issue by default)
 * @param refreshToken          single use: presenting it again revokes the connector
 * @param refreshTokenExpiresAt when it stops working if unused (30 days after issue by default)
 */
public record Tokens(String accessToken, Instant accessTokenExpiresAt, String refreshToken, Instant refreshTokenExpiresAt) {

    public Tokens {
        Objects.requireNonNull(accessToken, "accessToken");
        Objects.requireNonNull(accessTokenExpiresAt, "accessTokenExpiresAt");
        Objects.requireNonNull(refreshToken, "refreshToken");
        Objects.requireNonNull(refreshTokenExpiresAt, "refreshTokenExpiresAt");
        if (accessToken.isEmpty() || refreshToken.isEmpty()) {
            throw new IllegalArgumentException("a connector's token set needs both an access token and a refresh token");
        }
    }

    @Override
    public String toString() {
        return "Tokens[access token expires " + accessTokenExpiresAt + ", refresh token expires " + refreshTokenExpiresAt + "]";
    }
}
