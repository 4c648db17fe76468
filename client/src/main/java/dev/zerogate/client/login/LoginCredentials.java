package dev.zerogate.client.login;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a login leaves on this machine, in {@code credentials.json} (0600): identity-svc's URL,
 * the tokens, when the access token expires, and what the deployment's discovery document
 * said at login (ADR 0016): policy-svc's URL and the relays with their preamble keys; plus how
 * the person asked to connect ({@code --ca-file}, {@code --insecure-http}). Files saved before
 * the discovery document have no relays ({@code null}): such a login must be made again.
 * Never printed, never logged. Every process of one configuration directory reads and writes
 * it through {@link CredentialStore}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LoginCredentials(@JsonProperty("server") String server,
                               @JsonProperty("access_token") String accessToken,
                               @JsonProperty("refresh_token") String refreshToken,
                               @JsonProperty("access_token_expires_at") long accessTokenExpiresAt,
                               @JsonProperty("policy_url") String policyUrl,
                               @JsonProperty("relays") List<SavedRelay> relays,
                               @JsonProperty("ca_file") String caFile,
                               @JsonProperty("insecure_http") boolean insecureHttp) {

    /** A relay the deployment published: its URL and its preamble key (base64url). */
    public record SavedRelay(@JsonProperty("url") String url, @JsonProperty("preamble_key") String preambleKey) {
    }

    static final String FILE = "credentials.json";
    /** The one line for credentials saved before the discovery document. */
    public static final String LOG_IN_AGAIN = "these credentials predate the discovery document (they name no relays);"
            + " log in again: zerogate login <your zerogate URL>";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Credentials as the tests and older call sites make them: no relays, nothing chosen. */
    public LoginCredentials(String server, String accessToken, String refreshToken, long accessTokenExpiresAt, String policyUrl) {
        this(server, accessToken, refreshToken, accessTokenExpiresAt, policyUrl, null, null, false);
    }

    public static Optional<LoginCredentials> load(ConfigDirectory config) throws IOException {
        Path file = config.path(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(JSON.readValue(file.toFile(), LoginCredentials.class));
    }

    /** Whether these were saved by a login that read the discovery document. */
    public boolean fromDiscovery() {
        return relays != null;
    }

    /** Whether the access token is still valid {@code margin} from {@code now}. */
    public boolean validFor(java.time.Duration margin, java.time.Instant now) {
        return accessTokenExpiresAt - margin.toSeconds() > now.getEpochSecond();
    }

    /** These credentials remembering policy-svc at {@code url}. */
    public LoginCredentials withPolicyUrl(String url) {
        return new LoginCredentials(server, accessToken, refreshToken, accessTokenExpiresAt, url, relays, caFile, insecureHttp);
    }

    /** These credentials with new tokens (a refresh), everything else kept. */
    LoginCredentials withTokens(String access, String refresh, long expiresAt) {
        return new LoginCredentials(server, access, refresh, expiresAt, policyUrl, relays, caFile, insecureHttp);
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
