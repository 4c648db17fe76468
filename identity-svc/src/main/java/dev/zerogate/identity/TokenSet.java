package dev.zerogate.identity;

import java.util.UUID;

/**
 * What a successful login or refresh returns to the client: shown once, never stored in clear.
 *
 * @param expiresIn access-token lifetime in seconds
 */
public record TokenSet(String accessToken, String refreshToken, long expiresIn, UUID sessionId) {

    @Override
    public String toString() {
        return "TokenSet[session " + sessionId + ", expires in " + expiresIn + " s]";
    }
}
