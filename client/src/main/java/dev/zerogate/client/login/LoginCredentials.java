package dev.zerogate.client.login;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a login leaves on this machine, in {@code credentials.json} (0600): the server, the
 * tokens, when the access token expires, and policy-svc's URL once one was given (absent
 * before; files of older versions simply lack it). Never printed, never logged. Every
 * process of one configuration directory reads and writes it through {@link CredentialStore}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LoginCredentials(@JsonProperty("server") String server,
                               @JsonProperty("access_token") String accessToken,
                               @JsonProperty("refresh_token") String refreshToken,
                               @JsonProperty("access_token_expires_at") long accessTokenExpiresAt,
                               @JsonProperty("policy_url") String policyUrl) {

    static final String FILE = "credentials.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public static Optional<LoginCredentials> load(ConfigDirectory config) throws IOException {
        Path file = config.path(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(JSON.readValue(file.toFile(), LoginCredentials.class));
    }

    /** Whether the access token is still valid {@code margin} from {@code now}. */
    public boolean validFor(java.time.Duration margin, java.time.Instant now) {
        return accessTokenExpiresAt - margin.toSeconds() > now.getEpochSecond();
    }

    /** These credentials remembering policy-svc at {@code url}. */
    public LoginCredentials withPolicyUrl(String url) {
        return new LoginCredentials(server, accessToken, refreshToken, accessTokenExpiresAt, url);
    }

    /** Writes the file; callers hold {@link CredentialLock} (see {@link CredentialStore}). */
    void save(ConfigDirectory config) throws IOException {
        config.writePrivate(FILE, JSON.writeValueAsBytes(this));
    }

    static boolean delete(ConfigDirectory config) throws IOException {
        return Files.deleteIfExists(config.path(FILE));
    }

    @Override
    public String toString() {
        return "LoginCredentials[" + server + "]";
    }
}
