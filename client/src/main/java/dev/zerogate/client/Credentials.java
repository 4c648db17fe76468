package dev.zerogate.client;

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
 * before; files of older versions simply lack it). Never printed, never logged.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Credentials(@JsonProperty("server") String server,
                          @JsonProperty("access_token") String accessToken,
                          @JsonProperty("refresh_token") String refreshToken,
                          @JsonProperty("access_token_expires_at") long accessTokenExpiresAt,
                          @JsonProperty("policy_url") String policyUrl) {

    static final String FILE = "credentials.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public static Optional<Credentials> load(ConfigDirectory config) throws IOException {
        Path file = config.path(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(JSON.readValue(file.toFile(), Credentials.class));
    }

    /**
     * These credentials with an access token valid for at least another 30 s: refreshed (and
     * saved) when needed, since refresh tokens rotate.
     *
     * @throws IOException when the session has ended (log in again) or the server is unreachable
     */
    public Credentials fresh(ConfigDirectory config) throws IOException, InterruptedException {
        long now = java.time.Instant.now().getEpochSecond();
        if (accessTokenExpiresAt - 30 > now) {
            return this;
        }
        return refreshed(config);
    }

    /**
     * New tokens from identity-svc now, saved: after enrolling a device, so that the access
     * token names it ({@code zg_dev}); a token issued before enrolment cannot.
     */
    public Credentials refreshed(ConfigDirectory config) throws IOException, InterruptedException {
        long now = java.time.Instant.now().getEpochSecond();
        IdentityClient.TokenAnswer answer = new IdentityClient(server).refresh(refreshToken);
        if (!answer.ok()) {
            throw new IOException("the session has ended (" + answer.errorDescription() + "); log in again: zerogate login");
        }
        Credentials refreshed = new Credentials(server, answer.accessToken(), answer.refreshToken(), now + answer.expiresIn(), policyUrl);
        refreshed.save(config);
        return refreshed;
    }

    /** These credentials remembering policy-svc at {@code url}. */
    public Credentials withPolicyUrl(String url) {
        return new Credentials(server, accessToken, refreshToken, accessTokenExpiresAt, url);
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
