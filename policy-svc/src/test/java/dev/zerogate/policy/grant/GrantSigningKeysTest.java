package dev.zerogate.policy.grant;

import dev.zerogate.policy.PolicyDatabase;
import dev.zerogate.proto.policy.v1.AuthorizationServiceGrpc;
import dev.zerogate.proto.policy.v1.GetGrantSigningKeysRequest;
import dev.zerogate.proto.policy.v1.GetGrantSigningKeysResponse;
import dev.zerogate.servicekit.grant.AccessGrantVerifier;
import dev.zerogate.servicekit.grant.GrantClaims;
import dev.zerogate.servicekit.grant.GrantRejectedException;
import dev.zerogate.servicekit.grant.GrantRejectedException.Reason;
import dev.zerogate.servicekit.grant.VerifiedGrant;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.MutableClock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Grant signing keys: published over gRPC, verifying what the service signs, rotated, sealed at rest. */
@QuarkusTest
@PolicyDatabase
class GrantSigningKeysTest {

    static final String DEVICE_JKT = "x4Y0V4hBVSsvEV-ZIXvSJmB6g0o6LSSi9QbE1wX9e8c";

    @Inject
    GrantSigningKeys signingKeys;

    @Inject
    GrantIssuer issuer;

    @Inject
    MutableClock clock;

    @Inject
    Pool pool;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    /** Hibernate Reactive needs a Vert.x context; a test thread has none. */
    static <T> T onVertx(Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    GetGrantSigningKeysResponse keysOverGrpc() throws InterruptedException {
        try (GrpcProbe probe = GrpcProbe.connect(port)) {
            return AuthorizationServiceGrpc.newBlockingStub(probe.channel())
                    .getGrantSigningKeys(GetGrantSigningKeysRequest.getDefaultInstance());
        }
    }

    String issue() {
        return issuer.issue(new GrantRequest("decision-1", "user-1", "session-1", "network-1", "resource-1", "rule-1",
                "nas.home.lan", "tcp", 443, Optional.of("device-1"), DEVICE_JKT, Instant.now(), Optional.empty())).token();
    }

    static AccessGrantVerifier relay() {
        return new AccessGrantVerifier("zerogate-policy", GrantClaims.RELAY_AUDIENCE);
    }

    @Test
    void keySetOverGrpcHoldsTheActivePublicKeyAndItsCacheLifetime() throws Exception {
        GetGrantSigningKeysResponse response = keysOverGrpc();
        String jwks = response.getJwksJson();
        assertEquals(300, response.getCacheTtl().getSeconds());
        assertTrue(jwks.contains("\"kid\":\"" + signingKeys.cachedKeySet().activeKid() + "\""), jwks);
        assertTrue(jwks.contains("\"alg\":\"ES256\"") && jwks.contains("\"crv\":\"P-256\"") && jwks.contains("\"use\":\"sig\""), jwks);
        assertFalse(jwks.contains("\"d\""), "private key material in the key set: " + jwks);
    }

    @Test
    void grantIssuedByTheServiceVerifiesAgainstTheKeysServedOverGrpc() throws Exception {
        String grant = issue();
        VerifiedGrant verified = relay().verify(grant, keysOverGrpc().getJwksJson());
        assertEquals("decision-1", verified.decisionId());
        assertEquals(Optional.of("device-1"), verified.deviceId());
        relay().checkFlow(verified, "nas.home.lan", "tcp", 443, DEVICE_JKT);
        new AccessGrantVerifier("zerogate-policy", GrantClaims.CONNECTOR_AUDIENCE).verify(grant, keysOverGrpc().getJwksJson());
    }

    @Test
    void rotationKeepsTheOldKeyPublishedUntilItsGrantsHaveExpired() throws Exception {
        String before = issue();
        String oldKid = AccessGrantVerifier.keyIdOf(before).orElseThrow();

        onVertx(signingKeys::rotate);
        String after = issue();
        String newKid = AccessGrantVerifier.keyIdOf(after).orElseThrow();
        assertNotEquals(oldKid, newKid);

        String bothPublished = keysOverGrpc().getJwksJson();
        assertTrue(bothPublished.contains(oldKid) && bothPublished.contains(newKid), bothPublished);
        relay().verify(before, bothPublished);
        relay().verify(after, bothPublished);

        // Past the old key's not_after (grant lifetime + reload interval + a minute): the periodic
        // check deletes it, and nothing it signed verifies any more.
        clock.shift(Duration.ofMinutes(30));
        onVertx(signingKeys::rotateWhenDue);
        String onlyNew = keysOverGrpc().getJwksJson();
        assertFalse(onlyNew.contains(oldKid), onlyNew);
        assertTrue(onlyNew.contains(newKid), onlyNew);
        assertEquals(Reason.UNKNOWN_KEY, assertThrows(GrantRejectedException.class, () -> relay().verify(before, onlyNew)).reason());
    }

    @Test
    void activeKeyRotatesWhenItsIntervalHasPassed() {
        String kid = onVertx(signingKeys::keySet).activeKid();
        onVertx(signingKeys::rotateWhenDue);
        assertEquals(kid, onVertx(signingKeys::reload).activeKid(), "rotated before its interval");
        clock.shift(Duration.ofDays(31));
        onVertx(signingKeys::rotateWhenDue);
        assertNotEquals(kid, onVertx(signingKeys::reload).activeKid());
    }

    @Test
    void privateKeysAreSealedAtRest() {
        List<Row> rows = pool.query("SELECT kid, private_key_sealed FROM grant_signing_keys").execute().await().indefinitely()
                .stream().toList();
        assertFalse(rows.isEmpty());
        for (Row row : rows) {
            byte[] stored = row.getBuffer("private_key_sealed").getBytes();
            assertEquals(1, stored[0], "sealed-format version");
            assertThrows(Exception.class, () -> KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(stored)),
                    "a stored private key parses as a plain PKCS#8 key");
        }
    }

    /** Replicas starting at once on an empty table: exactly one key is created, and all use it. */
    @Test
    void replicasStartingAtOnceCreateExactlyOneKey() throws Exception {
        pool.query("DELETE FROM grant_signing_keys").execute().await().indefinitely();
        ExecutorService replicas = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Void>> starts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                starts.add(() -> onVertx(signingKeys::ensureActiveKey));
            }
            for (Future<Void> started : replicas.invokeAll(starts)) {
                started.get();
            }
        } finally {
            replicas.shutdownNow();
        }
        Row counts = pool.query("SELECT count(*) FILTER (WHERE status = 'ACTIVE') AS active, count(*) AS total FROM grant_signing_keys")
                .execute().await().indefinitely().iterator().next();
        assertEquals(1L, counts.getLong("active"));
        assertEquals(1L, counts.getLong("total"));
        String kid = onVertx(signingKeys::reload).activeKid();
        assertEquals(kid, AccessGrantVerifier.keyIdOf(issue()).orElseThrow());
    }
}
