package dev.zerogate.client.login;

import io.grpc.Status;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A running tunnel's login kept alive: refresh ahead of expiry, renewal at two thirds, the end said once, a new login taken. */
class CredentialKeeperTest {

    @TempDir
    Path dir;

    private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");
    private final SettableClock clock = new SettableClock(T0);
    private final List<String> notices = new ArrayList<>();
    private final AtomicInteger refreshes = new AtomicInteger();
    private final AtomicInteger renewals = new AtomicInteger();
    /** What identity-svc answers to the next refresh; null: new tokens of 600 s. */
    private IdentityClient.TokenAnswer nextAnswer;
    private boolean unreachable;
    private ConfigDirectory config;

    @BeforeEach
    void login() throws Exception {
        config = ConfigDirectory.at(dir);
    }

    /** A jitter that always draws {@code value}: schedules become exact. */
    private static RandomGenerator fixed(double value) {
        long bits = ((long) (value * (1L << 53))) << 11;
        return () -> bits;
    }

    private IdentityClient.TokenAnswer identity(String server, String refreshToken) throws IdentityClient.UnreachableException {
        if (unreachable) {
            throw new IdentityClient.UnreachableException("cannot reach identity-svc at " + server + ": connection refused");
        }
        int n = refreshes.incrementAndGet();
        if (nextAnswer != null) {
            return nextAnswer;
        }
        LoginCredentials next = TestCredentials.issued("refresh-" + n, clock.instant(), 600);
        return new IdentityClient.TokenAnswer(next.accessToken(), next.refreshToken(), 600, null, null);
    }

    private CredentialKeeper keeper(LoginCredentials start, DeviceCertificate certificate, CredentialKeeper.CertificateRenewer renewer)
            throws Exception {
        start.save(config);
        TestCertificates.saved(config, certificate);
        CredentialStore store = new CredentialStore(config, this::identity, clock, Duration.ofSeconds(10));
        return new CredentialKeeper(store, start, certificate, renewer, clock, fixed(0.5), notices::add);
    }

    private CredentialKeeper keeper(LoginCredentials start) throws Exception {
        return keeper(start, TestCertificates.valid(T0, T0.plus(Duration.ofDays(1))), token -> {
            throw new AssertionError("no renewal expected");
        });
    }

    private void tickAt(Instant when, CredentialKeeper keeper) {
        clock.set(when);
        keeper.tick();
    }

    @Test
    void theAccessTokenIsRefreshedAheadOfExpiryAndNotBefore() throws Exception {
        CredentialKeeper keeper = keeper(TestCredentials.issued("login", T0, 600));
        // Jitter 0.5: refreshed when a quarter of the lifetime is left, 150 s before expiry.
        tickAt(T0.plusSeconds(449), keeper);
        assertEquals(0, refreshes.get());
        tickAt(T0.plusSeconds(450), keeper);
        assertEquals(1, refreshes.get());
        assertEquals(T0.plusSeconds(450 + 600), keeper.snapshot().accessTokenExpiresAt());
        assertEquals(keeper.accessToken(), LoginCredentials.load(config).orElseThrow().accessToken(), "saved for every other process");

        tickAt(T0.plusSeconds(899), keeper);
        assertEquals(1, refreshes.get());
        tickAt(T0.plusSeconds(900), keeper);
        assertEquals(2, refreshes.get(), "and again for the next token, for as long as it runs");
        assertTrue(notices.isEmpty(), notices.toString());
    }

    @Test
    void aRefreshAnotherProcessMadeIsTakenWithoutSpendingTheRefreshTokenAgain() throws Exception {
        CredentialKeeper keeper = keeper(TestCredentials.issued("login", T0, 600));
        LoginCredentials byOther = TestCredentials.issued("other-process", T0.plusSeconds(400), 600);
        byOther.save(config);
        tickAt(T0.plusSeconds(450), keeper);
        assertEquals(0, refreshes.get());
        assertEquals(byOther.accessToken(), keeper.accessToken());
    }

    @Test
    void aFailedRefreshIsRetriedWithBackoffAndReportedOnce() throws Exception {
        CredentialKeeper keeper = keeper(TestCredentials.issued("login", T0, 600));
        unreachable = true;
        tickAt(T0.plusSeconds(450), keeper);
        tickAt(T0.plusSeconds(450), keeper); // within the first retry delay (0.75 s at jitter 0.5): not tried again
        tickAt(T0.plusSeconds(451), keeper);
        tickAt(T0.plusSeconds(453), keeper);
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains("cannot refresh the access token now") && notices.get(0).contains("retrying"), notices.get(0));
        unreachable = false;
        tickAt(T0.plusSeconds(460), keeper);
        assertEquals(1, refreshes.get());
        assertEquals(T0.plusSeconds(460 + 600), keeper.snapshot().accessTokenExpiresAt());
    }

    @Test
    void whenIdentitySvcRefusesTheRefreshTokenTheTunnelSaysSoOnceAndRefusesNewFlows() throws Exception {
        CredentialKeeper keeper = keeper(TestCredentials.issued("login", T0, 600));
        nextAnswer = new IdentityClient.TokenAnswer(null, null, 0, "invalid_grant", "the session has ended");
        tickAt(T0.plusSeconds(450), keeper);
        tickAt(T0.plusSeconds(500), keeper);
        tickAt(T0.plusSeconds(700), keeper);
        assertEquals(1, refreshes.get(), "a refused refresh token is not tried again");
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains("the session has ended") && notices.get(0).contains("refused until you log in again"), notices.get(0));
        CredentialStore.SessionEndedException refused = assertThrows(CredentialStore.SessionEndedException.class, keeper::usableAccessToken);
        assertTrue(refused.getMessage().contains("zerogate login"), refused.getMessage());
        assertNotNull(keeper.snapshot().ended());
    }

    @Test
    void aNewLoginInAnotherTerminalBringsAnEndedTunnelBack() throws Exception {
        CredentialKeeper keeper = keeper(TestCredentials.issued("login", T0, 600));
        keeper.startEnded("the session has ended (revoked); log in again: zerogate login");
        tickAt(T0.plusSeconds(10), keeper);
        assertThrows(CredentialStore.SessionEndedException.class, keeper::usableAccessToken);

        LoginCredentials again = TestCredentials.issued("second-login", T0.plusSeconds(20), 600);
        again.save(config);
        tickAt(T0.plusSeconds(21), keeper);
        assertNull(keeper.snapshot().ended());
        assertEquals(again.accessToken(), keeper.usableAccessToken());
        assertTrue(notices.get(notices.size() - 1).contains("a new login was found"), notices.toString());
    }

    @Test
    void aFlowAfterTheTokenRanOutRefreshesOnTheSpotAsAfterASleep() throws Exception {
        CredentialKeeper keeper = keeper(TestCredentials.issued("login", T0, 600));
        clock.set(T0.plus(Duration.ofHours(1))); // the laptop slept through the scheduled refresh
        String token = keeper.usableAccessToken();
        assertEquals(1, refreshes.get());
        assertEquals(LoginCredentials.load(config).orElseThrow().accessToken(), token);
    }

    @Test
    void theDeviceCertificateIsRenewedAtTwoThirdsOfItsLifeWithAUsableToken() throws Exception {
        List<String> renewedWith = new ArrayList<>();
        CredentialKeeper keeper = keeper(TestCredentials.issued("login", T0, 600), TestCertificates.valid(T0, T0.plusSeconds(60)),
                token -> {
                    renewals.incrementAndGet();
                    renewedWith.add(token);
                    return TestCertificates.saved(config, TestCertificates.valid(clock.instant(), clock.instant().plusSeconds(60)));
                });
        // Jitter 0.5: at two thirds plus 2.5 % of the lifetime, 41.5 s.
        tickAt(T0.plusSeconds(41), keeper);
        assertEquals(0, renewals.get());
        tickAt(T0.plusSeconds(42), keeper);
        assertEquals(1, renewals.get());
        assertEquals(List.of(keeper.accessToken()), renewedWith);
        assertEquals(T0.plusSeconds(102), keeper.certificate().notAfter());
        assertEquals(T0.plusSeconds(102), DeviceCertificate.load(config).notAfter());
        tickAt(T0.plusSeconds(80), keeper);
        assertEquals(1, renewals.get());
        tickAt(T0.plusSeconds(84), keeper);
        assertEquals(2, renewals.get(), "and again for the next one");
    }

    @Test
    void aCertificateAnotherProcessRenewedIsTakenWithoutRenewingAgain() throws Exception {
        CredentialKeeper keeper = keeper(TestCredentials.issued("login", T0, 600), TestCertificates.valid(T0, T0.plusSeconds(60)),
                token -> {
                    throw new AssertionError("renewed twice");
                });
        TestCertificates.saved(config, TestCertificates.valid(T0.plusSeconds(40), T0.plusSeconds(100)));
        tickAt(T0.plusSeconds(42), keeper);
        assertEquals(T0.plusSeconds(100), keeper.certificate().notAfter());
    }

    @Test
    void aDeviceIdentitySvcNoLongerRenewsEndsTheSession() throws Exception {
        CredentialKeeper keeper = keeper(TestCredentials.issued("login", T0, 600), TestCertificates.valid(T0, T0.plusSeconds(60)),
                token -> {
                    throw Status.PERMISSION_DENIED.withDescription("this device has been revoked").asRuntimeException();
                });
        tickAt(T0.plusSeconds(42), keeper);
        String ended = keeper.snapshot().ended();
        assertNotNull(ended);
        assertTrue(ended.contains("this device has been revoked"), ended);
        assertEquals(1, notices.size(), notices.toString());
    }

    @Test
    void aRenewalThatFailsForNowIsRetriedWithoutEndingTheSession() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        CredentialKeeper keeper = keeper(TestCredentials.issued("login", T0, 600), TestCertificates.valid(T0, T0.plusSeconds(60)),
                token -> {
                    if (attempts.incrementAndGet() == 1) {
                        throw Status.UNAVAILABLE.withDescription("identity-svc is restarting").asRuntimeException();
                    }
                    return TestCertificates.saved(config, TestCertificates.valid(clock.instant(), clock.instant().plusSeconds(60)));
                });
        tickAt(T0.plusSeconds(42), keeper);
        assertNull(keeper.snapshot().ended());
        assertTrue(notices.get(0).contains("cannot renew the device certificate now"), notices.toString());
        tickAt(T0.plusSeconds(44), keeper);
        assertEquals(2, attempts.get());
        assertEquals(T0.plusSeconds(104), keeper.certificate().notAfter());
    }

    /** A clock a test sets. */
    private static final class SettableClock extends Clock {
        private volatile Instant now;

        SettableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
