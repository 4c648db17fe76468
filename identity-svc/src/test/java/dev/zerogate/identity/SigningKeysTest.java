package dev.zerogate.identity;

import dev.zerogate.identity.service.SigningKeyService;
import dev.zerogate.identity.service.TokenIssuer;
import dev.zerogate.proto.identity.v1.AuthServiceGrpc;
import dev.zerogate.proto.identity.v1.GetSigningKeysRequest;
import dev.zerogate.proto.identity.v1.GetSigningKeysResponse;
import dev.zerogate.proto.identity.v1.SigningKeyStatus;
import dev.zerogate.servicekit.token.AccessTokenVerifier;
import dev.zerogate.servicekit.token.TokenRejectedException;
import dev.zerogate.servicekit.token.TokenRejectedException.Reason;
import dev.zerogate.servicekit.token.VerifiedAccessToken;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.MutableClock;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signing keys: published as JWKS over HTTP and gRPC, rotated, sealed at rest. */
@QuarkusTest
@IdentityDatabase
class SigningKeysTest {

    static final Duration SKEW = Duration.ofSeconds(30);

    @Inject
    SigningKeyService signingKeys;

    @Inject
    TokenIssuer issuer;

    @Inject
    MutableClock clock;

    @Inject
    Pool pool;

    @ConfigProperty(name = "zerogate.identity.issuer")
    String issuerUrl;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    /** Hibernate Reactive needs a Vert.x context; a test thread has none. */
    static <T> T onVertx(java.util.function.Supplier<io.smallrye.mutiny.Uni<T>> work) {
        try {
            return io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(work);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    AccessTokenVerifier verifier() {
        return new AccessTokenVerifier(issuerUrl, "zerogate", SKEW);
    }

    String issue() {
        return issuer.issueAccessToken(new AccessTokenClaims(dev.zerogate.servicekit.token.PrincipalKind.USER, "user-1", "alice", "session-1", Set.of("family"), Optional.of("device-1"),
                List.of("pwd"), Instant.now(), Optional.empty())).await().indefinitely();
    }

    String jwksOverHttp() {
        return given().when().get("/oauth2/jwks")
                .then().statusCode(200).contentType("application/jwk-set+json")
                .header("Cache-Control", "public, max-age=300")
                .extract().asString();
    }

    @Test
    void jwksOverHttpAndGrpcAgreeAndHoldNoPrivatePart() throws Exception {
        String http = jwksOverHttp();
        GetSigningKeysResponse grpc;
        try (GrpcProbe probe = GrpcProbe.connect(port)) {
            grpc = AuthServiceGrpc.newBlockingStub(probe.channel()).getSigningKeys(GetSigningKeysRequest.getDefaultInstance());
        }
        assertEquals(http, grpc.getJwksJson());
        assertEquals(300, grpc.getCacheTtl().getSeconds());
        assertEquals(1, grpc.getKeysList().stream().filter(k -> k.getStatus() == SigningKeyStatus.SIGNING_KEY_STATUS_ACTIVE).count());
        assertTrue(http.contains("\"alg\":\"ES256\"") && http.contains("\"crv\":\"P-256\""), http);
        assertFalse(http.contains("\"d\""), "private key material in the JWKS: " + http);
    }

    @Test
    void issuedTokenVerifiesAgainstThePublishedKeys() throws Exception {
        VerifiedAccessToken token = verifier().verify(issue(), jwksOverHttp(), Optional.empty());
        assertEquals("user-1", token.subject());
        assertEquals(Optional.of("device-1"), token.deviceId());
        assertEquals(List.of("pwd"), token.authenticationMethods());
    }

    @Test
    void rotationKeepsOldTokensValidUntilTheirKeyIsDroppedAfterExpiry() throws Exception {
        String before = issue();
        String oldKid = AccessTokenVerifier.keyIdOf(before).orElseThrow();

        onVertx(signingKeys::rotate);
        String after = issue();
        String newKid = AccessTokenVerifier.keyIdOf(after).orElseThrow();
        assertNotEquals(oldKid, newKid);

        String bothPublished = jwksOverHttp();
        assertTrue(bothPublished.contains(oldKid) && bothPublished.contains(newKid), bothPublished);
        verifier().verify(before, bothPublished, Optional.empty());
        verifier().verify(after, bothPublished, Optional.empty());

        // Past the old key's not_after (token lifetime + reload interval + skew): the periodic
        // check drops it, and nothing it signed verifies any more.
        clock.shift(Duration.ofMinutes(30));
        onVertx(signingKeys::rotateWhenDue);
        onVertx(signingKeys::reload);
        String onlyNew = jwksOverHttp();
        assertFalse(onlyNew.contains(oldKid), onlyNew);
        assertTrue(onlyNew.contains(newKid), onlyNew);
        assertEquals(Reason.UNKNOWN_KEY, assertThrows(TokenRejectedException.class,
                () -> verifier().verify(before, onlyNew, Optional.empty())).reason());
    }

    @Test
    void tokenIsRefusedOnceItsLifetimeHasPassed() {
        clock.shift(Duration.ofHours(-1)); // issued an hour ago, for ten minutes
        String stale = issue();
        clock.reset();
        assertEquals(Reason.EXPIRED, assertThrows(TokenRejectedException.class,
                () -> verifier().verify(stale, jwksOverHttp(), Optional.empty())).reason());
    }

    @Test
    void activeKeyRotatesWhenItsPeriodHasPassed() {
        String kid = onVertx(signingKeys::keySet).activeKid();
        onVertx(signingKeys::rotateWhenDue);
        assertEquals(kid, onVertx(signingKeys::reload).activeKid(), "rotated before its period");
        clock.shift(Duration.ofDays(31));
        onVertx(signingKeys::rotateWhenDue);
        assertNotEquals(kid, onVertx(signingKeys::reload).activeKid());
    }

    @Test
    void privateKeysAreSealedAtRest() {
        List<Row> rows = pool.query("SELECT kid, private_key_sealed FROM signing_keys").execute().await().indefinitely()
                .stream().toList();
        assertFalse(rows.isEmpty());
        for (Row row : rows) {
            byte[] stored = row.getBuffer("private_key_sealed").getBytes();
            assertEquals(1, stored[0], "sealed-format version");
            assertThrows(Exception.class, () -> KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(stored)),
                    "a stored private key parses as a plain PKCS#8 key");
        }
    }
}
