package dev.zerogate.client.tunnel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerogate.client.login.ConfigDirectory;
import dev.zerogate.client.login.CredentialLock;
import dev.zerogate.client.login.LoginCredentials;
import dev.zerogate.client.policy.PolicyEndpoint;
import dev.zerogate.tunnel.RelayKey;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Which relay the data plane goes through, and its preamble key. The URL is the first of
 * {@code --relay-url}, {@code $ZEROGATE_RELAY_URL}, and — only for a local run, whose
 * identity-svc is {@code http://127.0.0.1:7401} — {@code http://127.0.0.1:7405}. The key comes
 * from the relay's {@code /api/v1/relay} and is pinned on first use in {@code relays.json}
 * (0600): a relay whose key later differs is refused, as SSH refuses a changed host key.
 */
final class RelayEndpoint {

    static final String ENVIRONMENT = "ZEROGATE_RELAY_URL";
    static final String LOCAL_RELAY_URL = "http://127.0.0.1:7405";
    static final String PINS_FILE = "relays.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    record Relay(String url, InetSocketAddress address, RelayKey key) {
    }

    /** The relay offered a key other than the one pinned for it: refused, whatever else happens. */
    static final class KeyMismatchException extends IOException {
        KeyMismatchException(String message) {
            super(message);
        }
    }

    /**
     * The relay of a running tunnel. Its key is fetched on first use and kept; a fetch that
     * failed (the relay down, the network away) is tried again at the next flow, so a tunnel
     * started while the relay is unreachable works once it is back.
     */
    static final class Locator {
        private final String url;
        private final ConfigDirectory config;
        private volatile Relay known;

        Locator(String url, ConfigDirectory config, Relay known) {
            this.url = url;
            this.config = config;
            this.known = known;
        }

        String url() {
            return url;
        }

        /** The relay with its key; fetched on {@code blocking} when not known yet. */
        CompletableFuture<Relay> relay(Executor blocking) {
            Relay relay = known;
            if (relay != null) {
                return CompletableFuture.completedFuture(relay);
            }
            return CompletableFuture.supplyAsync(() -> {
                try {
                    Relay loaded = load(url, config);
                    known = loaded;
                    return loaded;
                } catch (IOException e) {
                    throw new CompletionException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CompletionException(e);
                }
            }, blocking);
        }
    }

    private RelayEndpoint() {
    }

    static String resolve(String option, String environment, LoginCredentials saved) throws PolicyEndpoint.UnknownException {
        if (option != null) {
            return PolicyEndpoint.validate(option, "--relay-url");
        }
        if (environment != null && !environment.isBlank()) {
            return PolicyEndpoint.validate(environment, ENVIRONMENT);
        }
        if (PolicyEndpoint.isLocalIdentity(saved.server())) {
            return LOCAL_RELAY_URL;
        }
        throw new PolicyEndpoint.UnknownException("which relay? You are logged in to " + saved.server()
                + ", which is not a local run: pass --relay-url URL or set " + ENVIRONMENT);
    }

    /** The relay at {@code url} with its key, pinned on first use. */
    static Relay load(String url, ConfigDirectory config) throws IOException, InterruptedException {
        URI uri = URI.create(url);
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        HttpResponse<String> response;
        try {
            response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(HttpRequest.newBuilder(URI.create(url + "/api/v1/relay")).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new IOException("cannot reach the relay at " + url + ": connection refused");
        } catch (java.net.http.HttpTimeoutException e) {
            throw new IOException("the relay at " + url + " did not answer in time");
        }
        if (response.statusCode() != 200) {
            throw new IOException("the relay at " + url + " answered " + response.statusCode() + " for its key");
        }
        String offered = JSON.readTree(response.body()).path("preamble_key").asText("");
        RelayKey key;
        try {
            key = RelayKey.fromPublic(offered);
        } catch (IllegalArgumentException e) {
            throw new IOException("the relay at " + url + " offered no valid key");
        }
        // Under the credentials lock: two processes pinning their first relay at once would
        // otherwise race on the file.
        CredentialLock.holding(config, CredentialLock.DEFAULT_WAIT, () -> {
            ObjectNode pins = config.path(PINS_FILE).toFile().exists()
                    ? (ObjectNode) JSON.readTree(Files.readString(config.path(PINS_FILE))) : JSON.createObjectNode();
            JsonNode pinned = pins.get(url);
            if (pinned == null) {
                pins.put(url, key.publicText());
                config.writePrivate(PINS_FILE, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(pins));
            } else if (!pinned.asText().equals(key.publicText())) {
                throw new KeyMismatchException("the relay at " + url + " now offers a different key than the one pinned in "
                        + config.path(PINS_FILE) + ". If the relay was reinstalled, delete its line there; otherwise someone may be"
                        + " intercepting the connection.");
            }
            return null;
        });
        return new Relay(url, new InetSocketAddress(uri.getHost(), port), key);
    }
}
