package dev.zerogate.client.login;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared credential state: refresh under the lock, re-read inside it, and a second process
 * that waited on the lock takes the first one's result instead of spending the refresh token again.
 */
class CredentialStoreTest {

    @TempDir
    Path dir;

    private final Instant now = Instant.parse("2026-12-07T12:00:00Z");
    private final Clock clock = Clock.fixed(now, ZoneOffset.UTC);
    private final AtomicInteger refreshes = new AtomicInteger();

    /** identity-svc as far as a refresh goes: each call spends nothing but counts, and returns new tokens. */
    private IdentityClient.TokenAnswer answer(String server, String refreshToken) throws InterruptedException {
        int n = refreshes.incrementAndGet();
        Thread.sleep(50); // a real refresh takes a round trip: long enough for concurrent callers to overlap
        LoginCredentials next = TestCredentials.issued("refreshed-" + n, now, 600);
        return new IdentityClient.TokenAnswer(next.accessToken(), next.refreshToken(), 600, null, null);
    }

    private CredentialStore store(CredentialStore.TokenRefresher refresher) {
        return new CredentialStore(ConfigDirectory.at(dir), refresher, clock, Duration.ofSeconds(30));
    }

    private LoginCredentials saved(LoginCredentials credentials) throws IOException {
        credentials.save(ConfigDirectory.at(dir));
        return credentials;
    }

    @Test
    void aTokenValidForTheMarginIsUsedAsItIsWithoutCallingIdentitySvc() throws Exception {
        LoginCredentials fresh = saved(TestCredentials.issued("login", now, 600));
        assertSame(fresh, store(this::answer).fresh(fresh, CredentialStore.COMMAND_MARGIN));
        assertEquals(0, refreshes.get());
    }

    @Test
    void aStaleTokenIsRefreshedOnceAndTheResultSavedForEveryOtherProcess() throws Exception {
        LoginCredentials stale = saved(TestCredentials.issued("login", now.minusSeconds(590), 600));
        LoginCredentials refreshed = store(this::answer).fresh(stale, CredentialStore.COMMAND_MARGIN);
        assertEquals(1, refreshes.get());
        assertEquals("refresh-refreshed-1", refreshed.refreshToken());
        assertEquals(refreshed, LoginCredentials.load(ConfigDirectory.at(dir)).orElseThrow());
        assertEquals(stale.policyUrl(), refreshed.policyUrl(), "what the login remembered stays");
    }

    @Test
    void eightCallersWithTheSameStaleTokenSpendItOnceAndAllGetTheResult() throws Exception {
        LoginCredentials stale = saved(TestCredentials.issued("login", now.minusSeconds(600), 600));
        CredentialStore store = store(this::answer);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<LoginCredentials>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            results.add(pool.submit(() -> {
                start.await();
                return store.fresh(stale, CredentialStore.COMMAND_MARGIN);
            }));
        }
        start.countDown();
        for (Future<LoginCredentials> result : results) {
            assertEquals("refresh-refreshed-1", result.get(10, TimeUnit.SECONDS).refreshToken());
        }
        pool.shutdown();
        assertEquals(1, refreshes.get(), "the refresh token was spent once");
    }

    @Test
    void aProcessWaitingOnTheLockUsesWhatTheHolderRefreshedInsteadOfSpendingTheTokenAgain() throws Exception {
        LoginCredentials stale = saved(TestCredentials.issued("login", now.minusSeconds(600), 600));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(),
                dir.toString(), "1500", "other-process").redirectErrorStream(true).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", lines.readLine(), "the other process took the lock");
            String holderPid = Files.readString(dir.resolve(CredentialLock.FILE)).strip();
            assertEquals(Long.toString(holder.pid()), holderPid, "the lock file names its holder");

            long started = System.nanoTime();
            LoginCredentials used = store((server, token) -> {
                throw new AssertionError("the refresh token " + token + " was spent a second time");
            }).fresh(stale, CredentialStore.COMMAND_MARGIN);
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            assertEquals("refresh-other-process", used.refreshToken(), "the holder's refreshed tokens");
            assertTrue(waitedMillis >= 1_000, "waited for the holder to release the lock: " + waitedMillis + " ms");
            assertEquals("released", lines.readLine());
        } finally {
            holder.destroy();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRefreshTokenIdentitySvcRefusesEndsTheSessionWithItsReason() throws Exception {
        LoginCredentials stale = saved(TestCredentials.issued("login", now.minusSeconds(600), 600));
        CredentialStore.SessionEndedException ended = assertThrows(CredentialStore.SessionEndedException.class,
                () -> store((server, token) -> new IdentityClient.TokenAnswer(null, null, 0, "invalid_grant", "the session has ended"))
                        .fresh(stale, CredentialStore.COMMAND_MARGIN));
        assertTrue(ended.getMessage().contains("the session has ended") && ended.getMessage().contains("zerogate login"), ended.getMessage());
    }

    @Test
    void anUnreachableIdentitySvcLeavesTheSavedTokensAsTheyWere() throws Exception {
        LoginCredentials stale = saved(TestCredentials.issued("login", now.minusSeconds(600), 600));
        IOException failure = assertThrows(IOException.class, () -> store((server, token) -> {
            throw new IdentityClient.UnreachableException("cannot reach identity-svc at " + server + ": connection refused");
        }).fresh(stale, CredentialStore.COMMAND_MARGIN));
        assertTrue(!(failure instanceof CredentialStore.SessionEndedException), "unreachable is not the end of the session");
        assertEquals(stale, LoginCredentials.load(ConfigDirectory.at(dir)).orElseThrow());
    }

    @Test
    void afterALogoutARefreshSaysSoInsteadOfUsingTheOldTokens() throws Exception {
        LoginCredentials stale = saved(TestCredentials.issued("login", now.minusSeconds(600), 600));
        CredentialStore store = store(this::answer);
        assertTrue(store.delete());
        assertThrows(CredentialStore.SessionEndedException.class, () -> store.fresh(stale, CredentialStore.COMMAND_MARGIN));
        assertEquals(0, refreshes.get());
    }

    @Test
    void theLockFileIsPrivateToItsOwner() throws Exception {
        saved(TestCredentials.issued("login", now, 600));
        store(this::answer).refreshNow();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(CredentialLock.FILE))));
    }
}
