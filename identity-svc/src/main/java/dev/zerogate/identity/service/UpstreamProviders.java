package dev.zerogate.identity.service;

import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.identity.config.IdentityConfig.Upstream;
import dev.zerogate.identity.crypto.Pkce;
import dev.zerogate.servicekit.edge.DeploymentTrust;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.jose4j.lang.JoseException;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The relying-party side towards upstream OpenID providers: discovery, the authorization
 * URL, the code exchange (client_secret_basic or _post, with PKCE), and ID-token validation
 * (signature from the provider's JWKS, issuer, audience, expiry, nonce; asymmetric
 * algorithms only). Discovery and keys are cached; keys are fetched again when a token names
 * an unknown key (at most every 30 seconds per provider).
 */
@ApplicationScoped
public class UpstreamProviders {

    /** The few claims identity-svc reads from an upstream login. */
    public record UpstreamAccount(String provider, String issuer, String subject, Optional<String> email,
                                  Optional<String> name, Optional<String> preferredUsername, List<String> groups,
                                  List<String> authenticationMethods) {
    }

    /** A provider's endpoints, from its discovery document. */
    record Metadata(String issuer, String authorizationEndpoint, String tokenEndpoint, String jwksUri,
                    Optional<String> userinfoEndpoint, boolean basicAuth, Instant fetchedAt) {
    }

    private record Keys(JsonWebKeySet keys, Instant fetchedAt) {
    }

    private static final Duration METADATA_TTL = Duration.ofHours(1);
    private static final Duration KEYS_REFETCH_GAP = Duration.ofSeconds(30);
    private static final Duration KEYS_TTL = Duration.ofHours(1);
    private static final int MAX_RESPONSE_BYTES = 256 * 1024;
    private static final String[] ALGORITHMS = {
            AlgorithmIdentifiers.RSA_USING_SHA256, AlgorithmIdentifiers.RSA_USING_SHA384, AlgorithmIdentifiers.RSA_USING_SHA512,
            AlgorithmIdentifiers.RSA_PSS_USING_SHA256, AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256,
            AlgorithmIdentifiers.ECDSA_USING_P384_CURVE_AND_SHA384, AlgorithmIdentifiers.EDDSA};

    private final IdentityConfig config;
    private final Clock clock;
    private final WebClient http;
    private final Map<String, Metadata> metadata = new ConcurrentHashMap<>();
    private final Map<String, Keys> keys = new ConcurrentHashMap<>();

    UpstreamProviders(IdentityConfig config, Clock clock, Vertx vertx, DeploymentTrust trust) {
        this.config = config;
        this.clock = clock;
        // The system's CAs and ZEROGATE_CA_FILE's: an upstream provider inside a private-CA deployment works.
        this.http = WebClient.create(vertx, trust.webClientOptions().setConnectTimeout(5_000).setIdleTimeout(15)
                .setFollowRedirects(false).setUserAgent("zerogate-identity"));
    }

    @PreDestroy
    void close() {
        http.close();
    }

    /** The configured providers' names and labels, for the login page, in name order. */
    public List<Map.Entry<String, String>> choices() {
        return config.upstreams().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> Map.entry(e.getKey(), e.getValue().displayName().orElse(e.getKey()))).toList();
    }

    public boolean exists(String provider) {
        return config.upstreams().containsKey(provider);
    }

    /** Where identity-svc receives every provider's answer. */
    public String callbackUri() {
        return config.issuer() + "/login/upstream/callback";
    }

    /** The provider's authorization URL for one login (code flow, PKCE S256). */
    public Uni<URI> authorizationUrl(String provider, String state, String nonce, String codeVerifier) {
        Upstream upstream = upstream(provider);
        return metadata(provider).map(m -> URI.create(m.authorizationEndpoint()
                + (m.authorizationEndpoint().contains("?") ? "&" : "?")
                + "response_type=code"
                + "&client_id=" + encode(upstream.clientId())
                + "&redirect_uri=" + encode(callbackUri())
                + "&scope=" + encode(upstream.scopes())
                + "&state=" + encode(state)
                + "&nonce=" + encode(nonce)
                + "&code_challenge=" + encode(Pkce.challengeOf(codeVerifier))
                + "&code_challenge_method=S256"));
    }

    /**
     * Exchanges the provider's code and validates its ID token.
     *
     * @throws LoginFailedException (in the Uni) when the provider refuses or its answer does not verify
     */
    public Uni<UpstreamAccount> exchange(String provider, String code, String codeVerifier, String nonce) {
        Upstream upstream = upstream(provider);
        return metadata(provider).chain(m -> {
            MultiMap form = MultiMap.caseInsensitiveMultiMap()
                    .add("grant_type", "authorization_code")
                    .add("code", code)
                    .add("redirect_uri", callbackUri())
                    .add("code_verifier", codeVerifier);
            var request = http.postAbs(m.tokenEndpoint()).putHeader("Accept", "application/json");
            if (m.basicAuth()) {
                // RFC 6749 §2.3.1: each part form-urlencoded before Base64.
                String credentials = encode(upstream.clientId()) + ":" + encode(upstream.clientSecret());
                request.putHeader("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
            } else {
                form.add("client_id", upstream.clientId()).add("client_secret", upstream.clientSecret());
            }
            return request.sendForm(form).chain(response -> {
                JsonObject body = json(response, "token endpoint");
                if (response.statusCode() != 200 || body.getString("id_token") == null) {
                    Log.warnf("upstream %s refused the code: HTTP %d %s", provider, response.statusCode(), body.getString("error", ""));
                    return Uni.createFrom().failure(new LoginFailedException("the identity provider did not accept the login; try again"));
                }
                return verifyIdToken(provider, m, body.getString("id_token"), nonce)
                        .chain(claims -> withUserinfoGroups(provider, upstream, m, claims, body.getString("access_token")));
            });
        });
    }

    private Uni<UpstreamAccount> withUserinfoGroups(String provider, Upstream upstream, Metadata m, JwtClaims claims, String accessToken) {
        UpstreamAccount fromIdToken = account(provider, upstream, m, claims, claims.getClaimValue(upstream.groupsClaim()));
        if (claims.hasClaim(upstream.groupsClaim()) || m.userinfoEndpoint().isEmpty() || accessToken == null) {
            return Uni.createFrom().item(fromIdToken);
        }
        // Many providers put groups in userinfo only.
        return http.getAbs(m.userinfoEndpoint().get()).putHeader("Authorization", "Bearer " + accessToken)
                .putHeader("Accept", "application/json").send().map(response -> {
                    JsonObject info = json(response, "userinfo");
                    if (response.statusCode() != 200 || !fromIdToken.subject().equals(info.getString("sub"))) {
                        return fromIdToken;
                    }
                    Object groups = info.getValue(upstream.groupsClaim());
                    return account(provider, upstream, m, claims, groups instanceof JsonArray array ? array.getList() : groups);
                });
    }

    private UpstreamAccount account(String provider, Upstream upstream, Metadata m, JwtClaims claims, Object groupsValue) {
        List<String> groups = new ArrayList<>();
        if (groupsValue instanceof List<?> list) {
            list.forEach(g -> groups.add(String.valueOf(g)));
        } else if (groupsValue instanceof String single && !single.isBlank()) {
            groups.add(single);
        }
        List<String> amr = new ArrayList<>();
        if (claims.getClaimValue("amr") instanceof List<?> upstreamAmr) {
            upstreamAmr.forEach(method -> amr.add(String.valueOf(method)));
        }
        return new UpstreamAccount(provider, m.issuer(), subject(claims), string(claims, "email"), string(claims, "name"),
                string(claims, "preferred_username"), List.copyOf(groups), List.copyOf(amr));
    }

    private Uni<JwtClaims> verifyIdToken(String provider, Metadata m, String idToken, String nonce) {
        Upstream upstream = upstream(provider);
        return keys(provider, m, false).chain(jwks -> {
            try {
                return Uni.createFrom().item(consume(m, upstream, jwks, idToken, nonce));
            } catch (InvalidJwtException e) {
                if (e.getMessage() != null && e.getMessage().contains("Unable to find a suitable verification key")) {
                    return keys(provider, m, true).map(fresh -> {
                        try {
                            return consume(m, upstream, fresh, idToken, nonce);
                        } catch (InvalidJwtException again) {
                            throw refused(provider, again);
                        }
                    });
                }
                throw refused(provider, e);
            }
        });
    }

    private JwtClaims consume(Metadata m, Upstream upstream, JsonWebKeySet jwks, String idToken, String nonce)
            throws InvalidJwtException {
        JwtClaims claims = new JwtConsumerBuilder()
                .setExpectedIssuer(m.issuer())
                .setExpectedAudience(upstream.clientId())
                .setRequireExpirationTime()
                .setRequireIssuedAt()
                .setRequireSubject()
                .setAllowedClockSkewInSeconds(60)
                .setEvaluationTime(org.jose4j.jwt.NumericDate.fromMilliseconds(clock.millis()))
                .setJwsAlgorithmConstraints(new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, ALGORITHMS))
                .setVerificationKeyResolver(new JwksVerificationKeyResolver(jwks.getJsonWebKeys()))
                .build()
                .processToClaims(idToken);
        if (!nonce.equals(claims.getClaimValue("nonce"))) {
            throw new InvalidJwtException("nonce does not match", List.of(), null);
        }
        return claims;
    }

    private static LoginFailedException refused(String provider, InvalidJwtException e) {
        Log.warnf("upstream %s: ID token refused: %s", provider, e.getErrorDetails().isEmpty()
                ? "invalid" : e.getErrorDetails().get(0).getErrorMessage());
        return new LoginFailedException("the identity provider's answer did not verify; try again");
    }

    Uni<Metadata> metadata(String provider) {
        Metadata cached = metadata.get(provider);
        if (cached != null && cached.fetchedAt().plus(METADATA_TTL).isAfter(clock.instant())) {
            return Uni.createFrom().item(cached);
        }
        Upstream upstream = upstream(provider);
        String issuer = upstream.issuer().endsWith("/") ? upstream.issuer().substring(0, upstream.issuer().length() - 1) : upstream.issuer();
        return http.getAbs(issuer + "/.well-known/openid-configuration").putHeader("Accept", "application/json").send()
                .map(response -> {
                    JsonObject doc = json(response, "discovery");
                    if (response.statusCode() != 200 || !upstream.issuer().equals(doc.getString("issuer"))) {
                        Log.warnf("upstream %s: discovery failed (HTTP %d, issuer %s)", provider, response.statusCode(), doc.getString("issuer"));
                        throw new LoginFailedException("the identity provider is not reachable or misconfigured; try again later");
                    }
                    JsonArray methods = doc.getJsonArray("token_endpoint_auth_methods_supported");
                    boolean basic = methods == null || methods.contains("client_secret_basic") || !methods.contains("client_secret_post");
                    Metadata loaded = new Metadata(doc.getString("issuer"), doc.getString("authorization_endpoint"),
                            doc.getString("token_endpoint"), doc.getString("jwks_uri"),
                            Optional.ofNullable(doc.getString("userinfo_endpoint")), basic, clock.instant());
                    metadata.put(provider, loaded);
                    return loaded;
                })
                .onFailure(e -> !(e instanceof LoginFailedException)).transform(e -> {
                    Log.warnf("upstream %s: discovery failed: %s", provider, e.toString());
                    return new LoginFailedException("the identity provider is not reachable; try again later");
                });
    }

    private Uni<JsonWebKeySet> keys(String provider, Metadata m, boolean unknownKid) {
        Keys cached = keys.get(provider);
        Instant now = clock.instant();
        if (cached != null && (unknownKid ? cached.fetchedAt().plus(KEYS_REFETCH_GAP) : cached.fetchedAt().plus(KEYS_TTL)).isAfter(now)) {
            return Uni.createFrom().item(cached.keys());
        }
        return http.getAbs(m.jwksUri()).putHeader("Accept", "application/json").send().map(response -> {
            if (response.statusCode() != 200) {
                throw new LoginFailedException("the identity provider's keys are not available; try again later");
            }
            try {
                JsonWebKeySet set = new JsonWebKeySet(body(response, "jwks"));
                keys.put(provider, new Keys(set, clock.instant()));
                return set;
            } catch (JoseException e) {
                throw new LoginFailedException("the identity provider's keys are malformed");
            }
        });
    }

    private Upstream upstream(String provider) {
        Upstream upstream = config.upstreams().get(provider);
        if (upstream == null) {
            throw new LoginFailedException("unknown identity provider");
        }
        return upstream;
    }

    private static String body(HttpResponse<io.vertx.mutiny.core.buffer.Buffer> response, String what) {
        io.vertx.mutiny.core.buffer.Buffer buffer = response.body();
        if (buffer == null) {
            return "";
        }
        if (buffer.length() > MAX_RESPONSE_BYTES) {
            throw new LoginFailedException("the identity provider's " + what + " response is too large");
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    private static JsonObject json(HttpResponse<io.vertx.mutiny.core.buffer.Buffer> response, String what) {
        String body = body(response, what);
        try {
            return body.isEmpty() ? new JsonObject() : new JsonObject(body);
        } catch (RuntimeException e) {
            return new JsonObject();
        }
    }

    private static String subject(JwtClaims claims) {
        try {
            return claims.getSubject();
        } catch (org.jose4j.jwt.MalformedClaimException e) {
            throw new LoginFailedException("the identity provider's answer has no subject");
        }
    }

    private static Optional<String> string(JwtClaims claims, String name) {
        return claims.getClaimValue(name) instanceof String s && !s.isBlank() ? Optional.of(s) : Optional.empty();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
