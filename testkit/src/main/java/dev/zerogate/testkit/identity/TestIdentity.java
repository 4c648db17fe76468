package dev.zerogate.testkit.identity;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.lang.JoseException;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for identity-svc's token side in tests of the other services: a real ES256 key, a
 * real JWKS served over loopback HTTP at {@code /oauth2/jwks}, a token endpoint
 * ({@code /oauth2/token}) that grants client credentials to one service-account key
 * ({@link #CLIENT_ID}), and access tokens with exactly
 * the claims identity-svc issues ({@code typ at+jwt}, {@code zg_kind}, {@code sid},
 * {@code auth_time}, {@code groups}, {@code amr}, {@code zg_dev}, {@code cnf.jkt}). The
 * services verify them with their production code. (identity-svc itself is exercised end to end
 * in e2e/.)
 *
 * <p>As a Quarkus test resource ({@link Resource}) it starts once per test JVM and sets the service's identity
 * URL; {@link #instance()} gives tests the same issuer.
 */
public final class TestIdentity {

    public static final String AUDIENCE = "zerogate";
    /** The one service account whose key the token endpoint accepts (policy-svc's test config lists it as a relay's). */
    public static final String SERVICE_ACCOUNT_ID = "0f0f0f0f-0000-4000-8000-00000000a11a";
    /** That key: client id and secret, as identity-svc shows them once. */
    public static final String CLIENT_ID = "0f0f0f0f-0000-4000-8000-0000000c11e7";
    public static final String CLIENT_SECRET = "zgsk_test-secret-of-the-test-service-account-key";
    private static TestIdentity instance;

    private final HttpServer server;
    private final EllipticCurveJsonWebKey key;
    private final String url;
    private final AtomicInteger tokenRequests = new AtomicInteger();

    private TestIdentity() {
        try {
            key = EcJwkGenerator.generateJwk(EllipticCurves.P256);
            key.setKeyId("test-" + UUID.randomUUID().toString().substring(0, 8));
            key.setAlgorithm(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
            key.setUse("sig");
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String jwks = new JsonWebKeySet(key).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
        server.createContext("/oauth2/jwks", exchange -> {
            byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/jwk-set+json");
            exchange.getResponseHeaders().add("Cache-Control", "max-age=300");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/oauth2/token", exchange -> {
            tokenRequests.incrementAndGet();
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String expected = "Basic " + Base64.getEncoder().encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
            boolean granted = exchange.getRequestMethod().equals("POST") && form.equals("grant_type=client_credentials")
                    && expected.equals(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = (granted ? "{\"access_token\":\"" + token(Claims.serviceAccount(SERVICE_ACCOUNT_ID))
                    + "\",\"token_type\":\"Bearer\",\"expires_in\":900}" : "{\"error\":\"invalid_client\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(granted ? 200 : 401, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** How many requests the token endpoint has had. */
    public int tokenRequests() {
        return tokenRequests.get();
    }

    /** The one instance of this JVM, started on first use. */
    public static synchronized TestIdentity instance() {
        if (instance == null) {
            instance = new TestIdentity();
        }
        return instance;
    }

    /** The issuer and JWKS base URL. */
    public String url() {
        return url;
    }

    /** The Quarkus test resource: starts the JVM's instance and points the service at it. */
    public static final class Resource implements QuarkusTestResourceLifecycleManager {

        @Override
        public Map<String, String> start() {
            return Map.of("zerogate.policy.identity.url", instance().url(),
                    "zerogate.relay.identity-url", instance().url());
        }

        @Override
        public void stop() {
            // Shared by every test class of the JVM; the JVM's exit stops it.
        }
    }

    /** What goes into a token; build with the static factories and the with-methods. */
    public record Claims(String kind, String subject, String sessionId, List<String> groups, List<String> amr, Instant authTime,
                         Optional<String> deviceId, Optional<String> keyThumbprint, Duration lifetime,
                         Optional<String> networkId) {

        public static Claims user(String userId, String... groups) {
            return new Claims("user", userId, UUID.randomUUID().toString(), List.of(groups), List.of("pwd"),
                    Instant.now().minusSeconds(60), Optional.empty(), Optional.empty(), Duration.ofMinutes(15), Optional.empty());
        }

        public static Claims serviceAccount(String serviceAccountId) {
            return new Claims("service_account", serviceAccountId, UUID.randomUUID().toString(), List.of(), List.of(),
                    Instant.now().minusSeconds(60), Optional.empty(), Optional.empty(), Duration.ofMinutes(15), Optional.empty());
        }

        public static Claims connector(String connectorId) {
            return new Claims("connector", connectorId, UUID.randomUUID().toString(), List.of(), List.of(),
                    Instant.now().minusSeconds(60), Optional.empty(), Optional.empty(), Duration.ofMinutes(15), Optional.empty());
        }

        public Claims withAmr(String... methods) {
            return new Claims(kind, subject, sessionId, groups, List.of(methods), authTime, deviceId, keyThumbprint, lifetime, networkId);
        }

        public Claims withAuthTime(Instant value) {
            return new Claims(kind, subject, sessionId, groups, amr, value, deviceId, keyThumbprint, lifetime, networkId);
        }

        public Claims withDevice(String deviceId, String keyThumbprint) {
            return new Claims(kind, subject, sessionId, groups, amr, authTime, Optional.of(deviceId), Optional.of(keyThumbprint), lifetime, networkId);
        }

        public Claims withSession(String value) {
            return new Claims(kind, subject, value, groups, amr, authTime, deviceId, keyThumbprint, lifetime, networkId);
        }

        /** A connector's remote network ({@code zg_net}). */
        public Claims withNetwork(String value) {
            return new Claims(kind, subject, sessionId, groups, amr, authTime, deviceId, keyThumbprint, lifetime, Optional.of(value));
        }

        public Claims withLifetime(Duration value) {
            return new Claims(kind, subject, sessionId, groups, amr, authTime, deviceId, keyThumbprint, value, networkId);
        }
    }

    /** A signed access token; a negative lifetime gives an expired one. */
    public String token(Claims claims) {
        JwtClaims jwt = new JwtClaims();
        Instant now = Instant.now();
        jwt.setIssuer(url);
        jwt.setAudience(AUDIENCE);
        jwt.setSubject(claims.subject());
        jwt.setJwtId(UUID.randomUUID().toString());
        jwt.setIssuedAt(org.jose4j.jwt.NumericDate.fromSeconds(Math.min(now.getEpochSecond(), now.plus(claims.lifetime()).getEpochSecond() - 60)));
        jwt.setExpirationTime(org.jose4j.jwt.NumericDate.fromSeconds(now.plus(claims.lifetime()).getEpochSecond()));
        jwt.setClaim("sid", claims.sessionId());
        jwt.setClaim("auth_time", claims.authTime().getEpochSecond());
        jwt.setClaim("zg_kind", claims.kind());
        if (!claims.groups().isEmpty()) {
            jwt.setStringListClaim("groups", claims.groups());
        }
        if (!claims.amr().isEmpty()) {
            jwt.setStringListClaim("amr", claims.amr());
        }
        claims.deviceId().ifPresent(device -> jwt.setClaim("zg_dev", device));
        claims.keyThumbprint().ifPresent(jkt -> jwt.setClaim("cnf", Map.of("jkt", jkt)));
        claims.networkId().ifPresent(network -> jwt.setClaim("zg_net", network));
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(jwt.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        jws.setHeader("typ", "at+jwt");
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }
}
