package dev.zerogate.connector.credentials;

import dev.zerogate.connector.IdentityStandIn;
import dev.zerogate.connector.client.EnrollmentClient;
import dev.zerogate.connector.credentials.CredentialRotation.BootstrapPair;
import dev.zerogate.connector.credentials.CredentialRotation.Phase;
import dev.zerogate.testkit.MutableClock;
import io.grpc.Status;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The credential lifecycle against a stand-in identity-svc over real gRPC, stepped by hand on a
 * clock the test moves: bootstrap, restart, refresh, renewal, storage failures, refusal.
 */
class CredentialRotationTest {

    @TempDir
    Path home;

    final MutableClock clock = new MutableClock();
    IdentityStandIn identity;
    EnrollmentClient client;
    Path stateDir;
    String[] pair;

    @BeforeEach
    void start() throws Exception {
        identity = IdentityStandIn.start(clock);
        client = new EnrollmentClient(EnrollmentClient.channelTo(URI.create(identity.url()), dev.zerogate.edge.TrustMaterial.systemAnd(java.util.Optional.empty())), Duration.ofSeconds(5));
        stateDir = home.resolve("state");
        pair = identity.provision();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        identity.close();
    }

    CredentialRotation rotation(CredentialStore store, boolean withPair) {
        return new CredentialRotation(store, client, clock, new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), new Random(7)),
                withPair ? Optional.of(new BootstrapPair(pair[0], pair[1])) : Optional.empty(), "0.1.0-test");
    }

    CredentialRotation bootstrapped() {
        CredentialRotation rotation = rotation(new CredentialStore(stateDir), true);
        rotation.start();
        rotation.step();
        assertEquals(Phase.ACTIVE, rotation.phase());
        return rotation;
    }

    JsonObject stored() throws IOException {
        return new JsonObject(Files.readString(stateDir.resolve(CredentialStore.CREDENTIALS), StandardCharsets.UTF_8));
    }

    static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void firstStartBootstrapsAndStoresOwnerOnlyCredentialsForTheKeyItMade() throws Exception {
        CredentialRotation rotation = rotation(new CredentialStore(stateDir), true);
        rotation.start();
        assertEquals(Phase.BOOTSTRAPPING, rotation.phase());
        assertTrue(rotation.problem().orElseThrow().startsWith("waiting for the first credentials"));

        Duration next = rotation.step().orElseThrow();

        Credentials credentials = rotation.current().orElseThrow();
        assertEquals(identity.connectorId, credentials.connectorId());
        assertEquals(identity.remoteNetworkId, credentials.remoteNetworkId());
        assertEquals(1, identity.bootstrapCalls());
        assertEquals(Optional.empty(), rotation.problem());
        // Two thirds of the 15-minute access token.
        assertEquals(Duration.ofMinutes(10).toSeconds(), next.toSeconds(), 1.0);

        assertEquals("rwx------", permissions(stateDir));
        for (String file : List.of("credentials.json", "connector-1.key", "connector-1.crt", "trust-anchors-1.pem")) {
            assertEquals("rw-------", permissions(stateDir.resolve(file)), file);
        }
        JsonObject json = stored();
        assertEquals(identity.latestRefreshToken(), json.getString("refresh_token"));
        assertEquals(identity.latestAccessToken(), json.getString("access_token"));
        assertEquals(credentials.certificate().serial(), json.getString("certificate_serial"));
        // The certificate is for the key on disk, and the trust anchor is the CA that signed it.
        Credentials reloaded = new CredentialStore(stateDir).load().orElseThrow();
        assertTrue(CredentialStore.keyMatches(reloaded.certificate().privateKey(), reloaded.certificate().leaf()));
        assertArrayEquals(credentials.certificate().privateKey().getEncoded(), reloaded.certificate().privateKey().getEncoded());
        reloaded.certificate().leaf().verify(identity.ca.getPublicKey());
        assertEquals(identity.ca, reloaded.certificate().trustAnchors().get(0));
        assertTrue(Files.readString(stateDir.resolve("connector-1.key")).startsWith("-----BEGIN PRIVATE KEY-----\n"));
    }

    @Test
    void restartLoadsTheStoredCredentialsIgnoresThePairAndCallsNothing() throws Exception {
        Credentials first = bootstrapped().current().orElseThrow();

        CredentialRotation restarted = rotation(new CredentialStore(stateDir), true);
        restarted.start();
        Duration next = restarted.step().orElseThrow();

        assertEquals(Phase.ACTIVE, restarted.phase());
        assertEquals(first.tokens(), restarted.current().orElseThrow().tokens());
        assertEquals(first.certificate().serial(), restarted.current().orElseThrow().certificate().serial());
        assertTrue(next.compareTo(Duration.ofMinutes(9)) > 0, next.toString());
        assertEquals(1, identity.bootstrapCalls());
        assertEquals(0, identity.refreshAttempts());
        assertFalse(identity.revoked());
    }

    @Test
    void refreshSendsTheCurrentRefreshTokenOnceAndStoresItsSuccessorBeforeUsingIt() throws Exception {
        CredentialRotation rotation = bootstrapped();
        String first = stored().getString("refresh_token");
        List<String> storedWhenPublished = new ArrayList<>();
        rotation.onRotation(() -> {
            try {
                // Whoever hears of new credentials finds them on disk already.
                assertEquals(rotation.current().orElseThrow().tokens().refreshToken(), stored().getString("refresh_token"));
                storedWhenPublished.add(stored().getString("refresh_token"));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });

        clock.shift(Duration.ofMinutes(9));
        assertTrue(rotation.step().orElseThrow().compareTo(Duration.ofSeconds(50)) > 0, "not due yet");
        assertEquals(List.of(), identity.refreshTokensSpent());

        clock.shift(Duration.ofMinutes(1).plusSeconds(1));
        long version = rotation.version();
        Duration next = rotation.step().orElseThrow();

        assertEquals(List.of(first), identity.refreshTokensSpent());
        assertEquals(List.of(false), identity.refreshCsrs(), "no certificate renewal before renew_after");
        String second = identity.latestRefreshToken();
        assertEquals(second, stored().getString("refresh_token"));
        assertEquals(second, rotation.current().orElseThrow().tokens().refreshToken());
        assertEquals(identity.latestAccessToken(), rotation.current().orElseThrow().tokens().accessToken());
        assertEquals(List.of(second), storedWhenPublished);
        assertEquals(version + 1, rotation.version());
        assertEquals(Duration.ofMinutes(10).toSeconds(), next.toSeconds(), 1.0);

        clock.shift(next);
        rotation.step();
        assertEquals(List.of(first, second), identity.refreshTokensSpent());
        assertFalse(identity.revoked());
    }

    /** A store whose writes fail while {@link #failures} is above zero, like a full disk. */
    static final class FailingStore extends CredentialStore {
        int failures;
        int saves;

        FailingStore(Path dir) {
            super(dir);
        }

        @Override
        public void save(Credentials credentials) throws IOException {
            saves++;
            if (failures > 0) {
                failures--;
                throw new IOException("No space left on device");
            }
            super.save(credentials);
        }
    }

    @Test
    void anAnswerThatCannotBeStoredIsNotUsedAndItsSpentTokenIsNeverSentAgain() throws Exception {
        FailingStore store = new FailingStore(stateDir);
        CredentialRotation rotation = rotation(store, true);
        rotation.start();
        rotation.step();
        String first = stored().getString("refresh_token");
        Credentials before = rotation.current().orElseThrow();

        store.failures = 3;
        clock.shift(Duration.ofMinutes(10).plusSeconds(1));
        Duration retry = rotation.step().orElseThrow();

        assertEquals(List.of(first), identity.refreshTokensSpent());
        String second = identity.latestRefreshToken();
        assertEquals(before, rotation.current().orElseThrow(), "nothing of an unstored answer is used");
        assertEquals(first, stored().getString("refresh_token"));
        assertTrue(rotation.problem().orElseThrow().contains("cannot store the new credentials"), rotation.problem().toString());
        assertTrue(retry.compareTo(Duration.ofSeconds(1)) <= 0, retry.toString());

        // Each later step tries storing again and sends nothing, however late it gets.
        for (int i = 0; i < 2; i++) {
            clock.shift(Duration.ofMinutes(5));
            rotation.step();
            assertEquals(first, stored().getString("refresh_token"));
        }
        assertEquals(1, identity.refreshAttempts());
        rotation.step();

        assertEquals(5, store.saves, "bootstrap; the answer, failing; two retries, failing; the third retry stores it");
        assertEquals(second, stored().getString("refresh_token"));
        assertEquals(second, rotation.current().orElseThrow().tokens().refreshToken());
        assertEquals(1, identity.refreshAttempts());
        assertEquals(Optional.empty(), rotation.problem());

        clock.shift(Duration.ofMinutes(11));
        rotation.step();
        assertEquals(List.of(first, second), identity.refreshTokensSpent());
        assertFalse(identity.revoked());
    }

    @Test
    void renewalAfterRenewAfterSendsACsrForANewKeyAndReplacesTheGenerationWhole() throws Exception {
        identity.lifetimes(Duration.ofMinutes(15), Duration.ofMinutes(30));
        CredentialRotation rotation = bootstrapped();
        CertificateGeneration first = rotation.current().orElseThrow().certificate();
        // renew_after is two thirds into [now - 1 min, now + 30 min]: about 20 minutes from now.
        clock.shift(Duration.ofMinutes(10).plusSeconds(1));
        rotation.step();
        assertEquals(List.of(false), identity.refreshCsrs());
        clock.shift(Duration.ofMinutes(10));
        rotation.step();

        assertEquals(List.of(false, true), identity.refreshCsrs());
        CertificateGeneration second = rotation.current().orElseThrow().certificate();
        assertEquals(2, second.number());
        assertNotEquals(first.serial(), second.serial());
        assertFalse(java.util.Arrays.equals(first.leaf().getPublicKey().getEncoded(), second.leaf().getPublicKey().getEncoded()),
                "a renewal makes a new key");
        assertTrue(CredentialStore.keyMatches(second.privateKey(), second.leaf()));
        assertEquals(2, stored().getLong("certificate_generation"));
        assertTrue(Files.exists(stateDir.resolve("connector-2.key")));
        for (String old : List.of("connector-1.key", "connector-1.crt", "trust-anchors-1.pem")) {
            assertFalse(Files.exists(stateDir.resolve(old)), old);
        }
        assertEquals(second.serial(), new CredentialStore(stateDir).load().orElseThrow().certificate().serial());
    }

    @Test
    void refusedCredentialsMakeTheConnectorNotReadyStopItAndAreSetAside() throws Exception {
        CredentialRotation rotation = bootstrapped();
        identity.revoke("admin revoked it");
        clock.shift(Duration.ofMinutes(11));

        assertEquals(Optional.empty(), rotation.step());
        assertEquals(Phase.REFUSED, rotation.phase());
        assertTrue(rotation.problem().orElseThrow().contains("PERMISSION_DENIED"), rotation.problem().toString());
        assertEquals(Optional.empty(), rotation.step());
        assertEquals(1, identity.refreshAttempts(), "no second attempt after a refusal");
        assertFalse(Files.exists(stateDir.resolve(CredentialStore.CREDENTIALS)));
        assertTrue(Files.exists(stateDir.resolve(CredentialStore.REVOKED)));

        IllegalStateException noPair = assertThrows(IllegalStateException.class, () -> rotation(new CredentialStore(stateDir), false).start());
        assertTrue(noPair.getMessage().contains("refused by identity-svc"), noPair.getMessage());

        // Provisioned again: the new pair bootstraps over the refused credentials.
        pair = identity.provision();
        CredentialRotation again = rotation(new CredentialStore(stateDir), true);
        again.start();
        again.step();
        assertEquals(Phase.ACTIVE, again.phase());
        assertEquals(identity.latestRefreshToken(), stored().getString("refresh_token"));
        assertFalse(Files.exists(stateDir.resolve(CredentialStore.REVOKED)));
    }

    @Test
    void aSpentRefreshTokenPresentedAgainIsRefusedAndEndsTheRotation() throws Exception {
        CredentialRotation rotation = bootstrapped();
        String stale = stored().getString("refresh_token");
        Files.copy(stateDir.resolve(CredentialStore.CREDENTIALS), home.resolve("stale.json"));
        clock.shift(Duration.ofMinutes(11));
        rotation.step();
        // A copy of the state from before the refresh, as a backup restore would bring back.
        Files.copy(home.resolve("stale.json"), stateDir.resolve(CredentialStore.CREDENTIALS), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        CredentialRotation restored = rotation(new CredentialStore(stateDir), false);
        restored.start();
        assertEquals(stale, restored.current().orElseThrow().tokens().refreshToken());
        assertEquals(Optional.empty(), restored.step());
        assertEquals(Phase.REFUSED, restored.phase());
        assertTrue(identity.revoked());
        assertEquals("spent refresh token presented again", identity.revocationReason());
    }

    @Test
    void identityUnavailableIsRetriedWithGrowingDelaysAndTheSameUnspentToken() throws Exception {
        CredentialRotation rotation = bootstrapped();
        String first = stored().getString("refresh_token");
        identity.failNext(Status.UNAVAILABLE.withDescription("database down"));
        identity.failNext(Status.UNAVAILABLE.withDescription("database down"));
        identity.failNext(Status.RESOURCE_EXHAUSTED.withDescription("more than one refresh per 10 seconds"));
        clock.shift(Duration.ofMinutes(10).plusSeconds(1));

        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            delays.add(rotation.step().orElseThrow());
        }
        assertTrue(delays.get(0).compareTo(Duration.ofMillis(500)) >= 0 && delays.get(0).compareTo(Duration.ofSeconds(1)) <= 0, delays.toString());
        assertTrue(delays.get(1).compareTo(Duration.ofSeconds(1)) >= 0 && delays.get(1).compareTo(Duration.ofSeconds(2)) <= 0, delays.toString());
        assertTrue(delays.get(2).compareTo(Duration.ofSeconds(2)) >= 0 && delays.get(2).compareTo(Duration.ofSeconds(4)) <= 0, delays.toString());
        assertEquals(Optional.empty(), rotation.problem(), "still ready while the access token lasts");
        assertEquals(List.of(), identity.refreshTokensSpent());

        clock.shift(Duration.ofMinutes(5));
        identity.failNext(Status.UNAVAILABLE);
        rotation.step();
        assertTrue(rotation.problem().orElseThrow().startsWith("the access token expired"), rotation.problem().toString());

        rotation.step();
        assertEquals(List.of(first), identity.refreshTokensSpent());
        assertEquals(Optional.empty(), rotation.problem());
        assertEquals(5, identity.refreshAttempts());
    }

    @Test
    void aRefusedBootstrapPairIsFinal() {
        pair = new String[] {"zgcb_not-the-token", pair[1]};
        CredentialRotation rotation = rotation(new CredentialStore(stateDir), true);
        rotation.start();

        assertEquals(Optional.empty(), rotation.step());
        assertEquals(Phase.REFUSED, rotation.phase());
        assertTrue(rotation.problem().orElseThrow().contains("UNAUTHENTICATED"), rotation.problem().toString());
        assertEquals(Optional.empty(), rotation.step());
        assertEquals(1, identity.bootstrapCalls());
    }

    @Test
    void withoutStoredCredentialsOrABootstrapPairTheStartFailsSayingWhatToSet() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> rotation(new CredentialStore(stateDir), false).start());
        assertTrue(e.getMessage().contains("set ZEROGATE_ACCESS_TOKEN and ZEROGATE_REFRESH_TOKEN"), e.getMessage());
        assertEquals(0, identity.bootstrapCalls());
    }

    @Test
    void unreadableStoredCredentialsFailTheStartWithoutQuotingThem() throws Exception {
        Files.createDirectories(stateDir);
        Files.writeString(stateDir.resolve(CredentialStore.CREDENTIALS), "{\"refresh_token\": \"secret-value\", oops");

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> rotation(new CredentialStore(stateDir), true).start());

        assertTrue(e.getMessage().contains("credentials.json is not JSON"), e.getMessage());
        assertFalse(e.getMessage().contains("secret-value"));
        assertEquals(null, e.getCause());
        assertEquals(0, identity.bootstrapCalls(), "stored credentials, even broken, are never replaced by a second bootstrap");
    }

    @Test
    void logsAndToStringsNeverShowTokensOrKeys() {
        CredentialRotation rotation = bootstrapped();
        Credentials credentials = rotation.current().orElseThrow();
        String text = credentials.toString() + new BootstrapPair(pair[0], pair[1]);
        assertFalse(text.contains(credentials.tokens().accessToken()));
        assertFalse(text.contains(credentials.tokens().refreshToken()));
        assertFalse(text.contains(pair[0]) || text.contains(pair[1]));
        assertTrue(text.contains(credentials.certificate().serial()));
    }
}
