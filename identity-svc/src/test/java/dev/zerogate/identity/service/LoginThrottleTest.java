package dev.zerogate.identity.service;

import dev.zerogate.identity.service.LoginThrottle.Limit;
import dev.zerogate.identity.service.LoginThrottle.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoginThrottleTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private final LoginThrottle throttle = new LoginThrottle();

    private static void fail(LoginThrottle throttle, String account, String source, int times, Instant at) {
        for (int i = 0; i < times; i++) {
            throttle.recordFailure(account, source, at);
        }
    }

    private static void assertAllowed(Verdict verdict) {
        assertTrue(verdict.allowed(), verdict.toString());
        assertEquals(Duration.ZERO, verdict.retryAfter());
        assertEquals(Limit.NONE, verdict.limitedBy());
    }

    @Test
    void unknownPairIsAllowed() {
        assertAllowed(throttle.check("alice", "192.0.2.1", T0));
    }

    /** Pair: free for 3 failures, then 1 s doubling, capped at 15 min. */
    @ParameterizedTest
    @CsvSource({
            " 1,   0",
            " 2,   0",
            " 3,   1",
            " 4,   2",
            " 5,   4",
            " 6,   8",
            "12, 512",
            "13, 900",
            "14, 900",
            "500, 900",
    })
    void pairDelayStartsAfterThreeFailuresDoublesAndCapsAtFifteenMinutes(int failures, long expectedSeconds) {
        fail(throttle, "alice", "192.0.2.1", failures, T0);
        Verdict verdict = throttle.check("alice", "192.0.2.1", T0);
        if (expectedSeconds == 0) {
            assertAllowed(verdict);
            return;
        }
        assertFalse(verdict.allowed());
        assertEquals(Duration.ofSeconds(expectedSeconds), verdict.retryAfter());
        assertEquals(Limit.ACCOUNT_FROM_SOURCE, verdict.limitedBy());
        // The delay runs from the last failure and ends exactly when it says.
        assertEquals(Duration.ofSeconds(expectedSeconds - 1), throttle.check("alice", "192.0.2.1", T0.plusSeconds(1)).retryAfter());
        assertAllowed(throttle.check("alice", "192.0.2.1", T0.plusSeconds(expectedSeconds)));
    }

    @Test
    void reasonGivesTheWaitWithoutNamingTheCounter() {
        fail(throttle, "alice", "192.0.2.1", 5, T0);
        assertEquals("too many failed attempts; try again in 4 s", throttle.check("alice", "192.0.2.1", T0).reason());
        fail(throttle, "alice", "192.0.2.1", 20, T0);
        assertEquals("too many failed attempts; try again in 15 min", throttle.check("alice", "192.0.2.1", T0).reason());
    }

    @ParameterizedTest
    @CsvSource({
            "PT1S,      1 s",
            "PT8S,      8 s",
            "PT7.2S,    8 s",
            "PT0.001S,  1 s",
            "PT119S,    119 s",
            "PT120S,    2 min",
            "PT14M1S,   15 min",
            "PT15M,     15 min",
    })
    void humanDurationRoundsUp(Duration duration, String expected) {
        assertEquals(expected, LoginThrottle.humanDuration(duration));
    }

    @Test
    void successClearsThePair() {
        LoginThrottle withoutSuccess = new LoginThrottle();
        fail(throttle, "alice", "192.0.2.1", 3, T0);
        fail(withoutSuccess, "alice", "192.0.2.1", 3, T0);

        Instant later = T0.plusSeconds(1);
        throttle.recordSuccess("alice", "192.0.2.1", later);
        throttle.recordFailure("alice", "192.0.2.1", later);
        withoutSuccess.recordFailure("alice", "192.0.2.1", later);

        assertAllowed(throttle.check("alice", "192.0.2.1", later));
        assertEquals(Duration.ofSeconds(2), withoutSuccess.check("alice", "192.0.2.1", later).retryAfter());
    }

    @Test
    void successDoesNotClearTheSourceCounter() {
        // A sprayer who owns one account must not reset their spraying counter by logging in.
        for (int i = 0; i < 25; i++) {
            throttle.recordFailure("victim" + i, "198.51.100.7", T0);
        }
        throttle.recordSuccess("mallory", "198.51.100.7", T0);
        Verdict verdict = throttle.check("victim99", "198.51.100.7", T0);
        assertFalse(verdict.allowed());
        assertEquals(Limit.SOURCE, verdict.limitedBy());
    }

    /** Account-wide: free for 5 failures from anywhere, then 1 s doubling, but never more than 30 s. */
    @ParameterizedTest
    @CsvSource({
            "    5,  1",
            "    6,  2",
            "    9, 16",
            "   10, 30",
            "  100, 30",
            "10000, 30",
    })
    void failuresFromOtherSourcesDelayTheRealUserByAtMostThirtySeconds(int attackerFailures, long expectedSeconds) {
        // The attacker uses a fresh address for each guess, as a botnet would.
        for (int i = 0; i < attackerFailures; i++) {
            throttle.recordFailure("alice", "203.0.113." + (i % 250) + "/" + i, T0);
        }
        Verdict user = throttle.check("alice", "192.0.2.1", T0);
        assertFalse(user.allowed());
        assertEquals(Duration.ofSeconds(expectedSeconds), user.retryAfter());
        assertEquals(Limit.ACCOUNT, user.limitedBy());
        assertAllowed(throttle.check("alice", "192.0.2.1", T0.plusSeconds(expectedSeconds)));
    }

    @Test
    void oneSourceHammeringAnAccountLocksOnlyThatSourceForLong() {
        fail(throttle, "alice", "203.0.113.9", 50, T0);

        Verdict attacker = throttle.check("alice", "203.0.113.9", T0.plusSeconds(30));
        assertFalse(attacker.allowed());
        assertEquals(Duration.ofMinutes(15).minusSeconds(30), attacker.retryAfter());

        Verdict user = throttle.check("alice", "192.0.2.1", T0);
        assertEquals(Duration.ofSeconds(30), user.retryAfter());
        assertEquals(Limit.ACCOUNT, user.limitedBy());
        assertAllowed(throttle.check("alice", "192.0.2.1", T0.plusSeconds(30)));
    }

    /** Source-wide: free for 20 failures across accounts, then 1 s doubling up to 15 min. */
    @ParameterizedTest
    @CsvSource({
            "19,   0",
            "20,   1",
            "21,   2",
            "25,  32",
            "40, 900",
    })
    void sourceSprayingManyAccountsIsDelayed(int accountsTried, long expectedSeconds) {
        for (int i = 0; i < accountsTried; i++) {
            throttle.recordFailure("user" + i, "198.51.100.7", T0);
        }
        Verdict sprayer = throttle.check("someone-new", "198.51.100.7", T0);
        if (expectedSeconds == 0) {
            assertAllowed(sprayer);
        } else {
            assertEquals(Duration.ofSeconds(expectedSeconds), sprayer.retryAfter());
            assertEquals(Limit.SOURCE, sprayer.limitedBy());
        }
        // Each account saw one failure: nobody else is slowed down.
        assertAllowed(throttle.check("user0", "192.0.2.1", T0));
    }

    /** A counter is forgotten 15 min after its delay ended (here: no delay, so 15 min after the last failure). */
    @ParameterizedTest
    @CsvSource({
            "PT1S,       1",
            "PT14M59S,   1",
            "PT15M,      0",
            "PT2H,       0",
    })
    void failuresAreForgottenAfterAQuietWindow(Duration quiet, long expectedSecondsAfterThirdFailure) {
        fail(throttle, "alice", "192.0.2.1", 2, T0);
        Instant later = T0.plus(quiet);
        throttle.recordFailure("alice", "192.0.2.1", later);
        assertEquals(Duration.ofSeconds(expectedSecondsAfterThirdFailure), throttle.check("alice", "192.0.2.1", later).retryAfter());
    }

    @Test
    void waitingOutTheLongestDelayDoesNotAlsoWipeTheHistory() {
        fail(throttle, "alice", "192.0.2.1", 13, T0); // 15 min delay
        Instant delayEnds = T0.plus(Duration.ofMinutes(15));
        assertAllowed(throttle.check("alice", "192.0.2.1", delayEnds));

        // One more failure within 15 min of the delay's end: still at the cap.
        Instant nextTry = delayEnds.plus(Duration.ofMinutes(14));
        throttle.recordFailure("alice", "192.0.2.1", nextTry);
        assertEquals(Duration.ofMinutes(15), throttle.check("alice", "192.0.2.1", nextTry).retryAfter());

        // Quiet for 15 min after that delay: forgotten, back to free attempts.
        Instant muchLater = nextTry.plus(Duration.ofMinutes(30));
        throttle.recordFailure("alice", "192.0.2.1", muchLater);
        assertAllowed(throttle.check("alice", "192.0.2.1", muchLater));
    }

    @Test
    void failureReportedOutOfOrderDoesNotShortenTheDelay() {
        fail(throttle, "alice", "192.0.2.1", 4, T0); // 2 s from T0
        throttle.recordFailure("alice", "192.0.2.1", T0.minusSeconds(60)); // 5th: 4 s, still from T0
        assertEquals(Duration.ofSeconds(4), throttle.check("alice", "192.0.2.1", T0).retryAfter());
    }

    @Test
    void evictionForgetsTheCounterWithTheOldestFailure() {
        LoginThrottle small = new LoginThrottle(3);
        fail(small, "alice", "192.0.2.1", 10, T0); // 128 s
        fail(small, "bob", "192.0.2.2", 10, T0.plusSeconds(1)); // 128 s
        small.recordFailure("alice", "192.0.2.1", T0.plusSeconds(2)); // alice's failure is now the newest
        small.recordFailure("carol", "192.0.2.3", T0.plusSeconds(3));
        small.recordFailure("dave", "192.0.2.4", T0.plusSeconds(4)); // pushes out bob, the oldest

        assertEquals(3, small.trackedKeys());
        assertAllowed(small.check("bob", "192.0.2.2", T0.plusSeconds(4)));
        assertEquals(Duration.ofSeconds(254), small.check("alice", "192.0.2.1", T0.plusSeconds(4)).retryAfter());
    }

    @Test
    void memoryStaysBoundedUnderAFloodOfKeys() {
        LoginThrottle small = new LoginThrottle(100);
        for (int i = 0; i < 50_000; i++) {
            small.recordFailure("account" + i, "2001:db8:" + Integer.toHexString(i) + "::", T0.plusMillis(i));
        }
        assertEquals(100, small.trackedKeys());
    }

    @Test
    void overLongNamesAreCountedWithoutKeepingThemWhole() {
        String longName = "x".repeat(1_000_000);
        String otherLongName = "x".repeat(999_999) + "y";
        fail(throttle, longName, "192.0.2.1", 3, T0);
        assertFalse(throttle.check(longName, "192.0.2.1", T0).allowed());
        assertAllowed(throttle.check(otherLongName, "192.0.2.1", T0));
        assertTrue(LoginThrottle.key(longName).length() <= LoginThrottle.MAX_KEY_CHARS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice", "Alice", "ALICE", " alice", "alice\t", " Alice \n"})
    void accountNamesAreTrimmedAndCaseFolded(String spelling) {
        fail(throttle, "alice", "192.0.2.1", 2, T0);
        throttle.recordFailure(spelling, "192.0.2.1", T0);
        Verdict verdict = throttle.check("aLiCe", "192.0.2.1", T0);
        assertEquals(Duration.ofSeconds(1), verdict.retryAfter());
        assertEquals(Limit.ACCOUNT_FROM_SOURCE, verdict.limitedBy());
    }

    @Test
    void sourceSpellingsShareACounter() {
        fail(throttle, "alice", "2001:DB8::1", 2, T0);
        throttle.recordFailure("alice", " 2001:db8::1 ", T0);
        assertFalse(throttle.check("alice", "2001:db8::1", T0).allowed());
    }

    @Test
    void nullAccountOrSourceIsCountedNotThrown() {
        fail(throttle, null, null, 3, T0);
        assertFalse(throttle.check(null, null, T0).allowed());
        assertFalse(throttle.check("", "", T0).allowed());
        throttle.recordSuccess(null, null, T0);
    }

    @Test
    void concurrentFailuresAreAllCountedAndTheBoundHolds() throws Exception {
        LoginThrottle shared = new LoginThrottle(1_000);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 5_000; i++) {
                        // noise: 500 accounts, and far more pairs than the cap
                        shared.recordFailure("user" + (i % 500), "10.0." + thread + "." + (i % 97), T0);
                        shared.check("user" + i, "10.0.0.1", T0);
                        if (i == 2_500) {
                            shared.recordFailure("target", "10.1." + thread + ".1", T0);
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(shared.trackedKeys() <= 1_000);
        // Exactly one failure per thread: 8 account-wide failures give 2^(8-5) = 8 s; a lost update would give less.
        assertEquals(Duration.ofSeconds(8), shared.check("target", "192.0.2.1", T0).retryAfter());
    }
}
