package dev.zerogate.servicekit.token;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.Vertx;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.ext.web.client.WebClient;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A service's own access token from identity-svc, by the OAuth client-credentials grant of one
 * of its service-account keys: policy-svc follows identity-svc's logs with it, relay-svc reports
 * its connectors to policy-svc with it.
 *
 * <p>The token is fetched at first use and cached; it is fetched again once it is within
 * {@link #REFRESH_BEFORE_EXPIRY} of its expiry (or past half its lifetime, for short-lived
 * tokens), so callers never present one that expires in flight. Concurrent callers share one
 * sign-in, which fails after {@link #SIGN_IN_TIMEOUT}. A failed sign-in is not cached: the next
 * call tries again. Not a bean: each service builds one from its own configuration
 * ({@link #atTokenEndpoint}).
 *
 * <p>Neither the secret nor a token ever appears in an exception message.
 */
public final class ClientCredentialsTokens {

    /** A token is replaced this long before it expires (at most half its lifetime before). */
    public static final Duration REFRESH_BEFORE_EXPIRY = Duration.ofMinutes(1);
    /** A sign-in unanswered this long fails, so that callers waiting on it are never stuck. */
    public static final Duration SIGN_IN_TIMEOUT = Duration.ofSeconds(10);

    /** What the token endpoint answered: the token and how long it lives ({@code expires_in}). */
    public record Issued(String accessToken, Duration lifetime) {
        @Override
        public String toString() {
            return "Issued[lifetime=" + lifetime + "]";
        }
    }

    private record Cached(String value, Instant refreshAt) {}

    private final Supplier<CompletionStage<Issued>> signIn;
    private final Clock clock;
    private volatile Cached cached;
    /** The sign-in under way, shared by the callers that arrive meanwhile; guarded by {@code this}. */
    private Uni<String> inFlight;

    /** Tokens from {@code signIn} (one call is one sign-in), cached by {@code clock}. */
    public ClientCredentialsTokens(Supplier<CompletionStage<Issued>> signIn, Clock clock) {
        this.signIn = signIn;
        this.clock = clock;
    }

    /**
     * Tokens from identity-svc's token endpoint, {@code POST <identityUrl>/oauth2/token} with
     * {@code grant_type=client_credentials} and the key as HTTP basic credentials (RFC 6749
     * section 4.4). {@code who} names the service in error messages ("relay-svc").
     */
    public static ClientCredentialsTokens atTokenEndpoint(Vertx vertx, String identityUrl, String clientId, String clientSecret,
                                                          String who, Clock clock) {
        return atTokenEndpoint(vertx, new WebClientOptions(), identityUrl, clientId, clientSecret, who, clock);
    }

    /** As above, with the web client's options (a deployment's CAs, see {@code edge.DeploymentTrust}). */
    public static ClientCredentialsTokens atTokenEndpoint(Vertx vertx, WebClientOptions options, String identityUrl, String clientId,
                                                          String clientSecret, String who, Clock clock) {
        String url = identityUrl.replaceAll("/+$", "") + "/oauth2/token";
        WebClient http = WebClient.create(vertx, options);
        return new ClientCredentialsTokens(() -> http.postAbs(url).timeout(SIGN_IN_TIMEOUT.toMillis())
                .basicAuthentication(clientId, clientSecret)
                .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials"))
                .map(response -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("identity-svc refused " + who + "'s client credentials (HTTP "
                                + response.statusCode() + ")");
                    }
                    JsonObject body = new JsonObject(response.bodyAsString());
                    String token = body.getString("access_token");
                    if (token == null || token.isEmpty()) {
                        throw new IllegalStateException("identity-svc's token response to " + who + " has no access_token");
                    }
                    return new Issued(token, Duration.ofSeconds(body.getLong("expires_in", 300L)));
                })
                .subscribeAsCompletionStage(), clock);
    }

    /** A valid access token: the cached one, or a fresh one when it is due for refresh. */
    public Uni<String> accessToken() {
        return Uni.createFrom().deferred(() -> {
            Cached current = cached;
            if (current != null && clock.instant().isBefore(current.refreshAt())) {
                return Uni.createFrom().item(current.value());
            }
            return signInShared();
        });
    }

    /** Forgets the cached token, e.g. after a service refused it (UNAUTHENTICATED); the next call signs in. */
    public void forget() {
        cached = null;
    }

    private synchronized Uni<String> signInShared() {
        if (inFlight == null) {
            Instant asked = clock.instant();
            inFlight = Uni.createFrom().completionStage(signIn)
                    .map(issued -> {
                        Duration margin = issued.lifetime().dividedBy(2).compareTo(REFRESH_BEFORE_EXPIRY) < 0
                                ? issued.lifetime().dividedBy(2) : REFRESH_BEFORE_EXPIRY;
                        cached = new Cached(issued.accessToken(), asked.plus(issued.lifetime()).minus(margin));
                        return issued.accessToken();
                    })
                    .onTermination().invoke(this::signedIn)
                    .memoize().indefinitely();
        }
        return inFlight;
    }

    private synchronized void signedIn() {
        inFlight = null;
    }
}
