package dev.zerogate.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * The claims of an access token, read for display only. Not verified: the services verify
 * tokens; the CLI only shows the person what it holds.
 */
record AccessTokenView(String subject, String username, String sessionId, Instant expiresAt, String deviceKeyThumbprint) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static AccessTokenView decode(String token) throws IOException {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            throw new IOException("the stored access token is not a JWT");
        }
        JsonNode claims = JSON.readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        return new AccessTokenView(claims.path("sub").asText(), claims.path("preferred_username").asText(claims.path("sub").asText()),
                claims.path("sid").asText(), Instant.ofEpochSecond(claims.path("exp").asLong()),
                claims.path("cnf").path("jkt").asText(""));
    }
}
