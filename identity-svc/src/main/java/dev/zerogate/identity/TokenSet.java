package dev.zerogate.identity;

import java.time.Instant;
import java.util.UUID;

/**
 * What a successful login or refresh returns to the client: shown once, never stored in clear.
 *
 * @param expiresIn             access-token lifetime in seconds
 * @param refreshTokenExpiresAt when the refresh token expires if unused (a refresh token
 *                              returned again within the reuse grace window keeps its expiry)
 */
public record TokenSet(String accessToken, String refreshToken, long expiresIn, UUID sessionId, Instant refreshTokenExpiresAt) {

    @Override
    public String toString() {
        return "TokenSet[session " + sessionId + ", expires in " + expiresIn + " s]";
    }
}
