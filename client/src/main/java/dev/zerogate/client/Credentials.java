package dev.zerogate.client;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a login leaves on this machine, in {@code credentials.json} (0600): the server, the
 * tokens and when the access token expires. Never printed, never logged.
 */
public record Credentials(@JsonProperty("server") String server,
                          @JsonProperty("access_token") String accessToken,
                          @JsonProperty("refresh_token") String refreshToken,
                          @JsonProperty("access_token_expires_at") long accessTokenExpiresAt) {

    static final String FILE = "credentials.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public static Optional<Credentials> load(ConfigDirectory config) throws IOException {
        Path file = config.path(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(JSON.readValue(file.toFile(), Credentials.class));
    }

    public void save(ConfigDirectory config) throws IOException {
        config.writePrivate(FILE, JSON.writeValueAsBytes(this));
    }

    public static boolean delete(ConfigDirectory config) throws IOException {
        return Files.deleteIfExists(config.path(FILE));
    }

    @Override
    public String toString() {
        return "Credentials[" + server + "]";
    }
}
