package dev.zerogate.identity.service;

import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Slows password guessing down, then holds it off for a while, without letting an attacker
 * lock a user out for good.
 *
 * <h2>Three counters of recent failures</h2>
 * <ul>
 *   <li><b>Pair</b> (account, source): the one a user who mistypes meets.
 *       {@value #PAIR_FREE_FAILURES} failures may come back to back; after that many the next
 *       attempt waits 1 s, and each further failure doubles the wait, up to 15 minutes. This is what stops one address
 *       from guessing one account.</li>
 *   <li><b>Source</b> (any account, one source): password spraying, a few guesses at many
 *       accounts from one address. After {@value #SOURCE_FREE_FAILURES} failures the same
 *       curve: 1 s, doubling up to 15 minutes. A source shared by many people (a NAT, a
 *       corporate proxy) is slowed down as a whole; that is the price of catching spraying,
 *       and it is bounded by the same cap.</li>
 *   <li><b>Account</b> (one account, any source): guessing one account from many addresses.
 *       After {@value #ACCOUNT_FREE_FAILURES} failures 1 s, doubling, but capped at
 *       30 seconds. It is deliberately short: anyone on the internet can make this counter
 *       grow, so a long account-wide lock would let a stranger lock the real user out. At
 *       worst a distributed attacker holds the account at one attempt per 30 s for everybody,
 *       which slows the attacker at least as much as the user.</li>
 * </ul>
 * A delay runs from the counter's last failure; {@link #check} refuses while any of the three
 * delays runs and reports the longest.
 *
 * <h2>Forgetting</h2>
 * A counter is forgotten once it has seen no failure for the {@link #WINDOW} of 15 minutes
 * counted from the end of its current delay. Counting from the end of the delay rather than
 * from the failure matters at the cap: otherwise waiting out a 15-minute lock would also wipe
 * the history and hand the attacker a fresh set of free guesses every half hour. A success for
 * (account, source) clears that pair only. It does not clear the source counter (an attacker
 * with one valid account of their own would reset their spraying counter at will) nor the
 * account counter (the real user logging in does not stop an attack on their account).
 *
 * <h2>Scope and memory</h2>
 * The state is in memory, per replica, and lost on restart: with N replicas behind a load
 * balancer an attacker gets up to N times the attempts. Each of the three maps holds at most
 * {@link #DEFAULT_MAX_ENTRIES} keys (roughly 200 bytes each); when one is full, the counter
 * with the oldest last failure is dropped. Dropping a counter only ever loses a delay, never
 * locks anyone out; to push out a counter that is still in use an attacker must make that
 * many failures on other keys after its last one, which the source counter and the cost of
 * Argon2 make slow. Keys longer than {@value #MAX_KEY_CHARS} characters are stored as their
 * SHA-256, so a key's size is bounded whatever the caller passes.
 *
 * <h2>Contract for callers</h2>
 * Call {@link #check} before verifying a password and do not verify when it refuses; then
 * call {@link #recordFailure} or {@link #recordSuccess}. Record failures for accounts that do
 * not exist too, or the throttle itself tells which accounts exist. Pass the source as the
 * client address, and for IPv6 the /64 prefix: a single host usually holds a whole /64.
 * Check and record are separate steps, so a burst of parallel attempts that all pass
 * {@link #check} before the first failure is recorded (within the time one password hash
 * takes) all go through; a caller that needs a strict limit serialises attempts per account.
 *
 * <p>Thread-safe: the three maps and their counters are guarded by {@code this}. Keys are
 * normalised (and long ones hashed) before taking the lock, so each critical section is a few
 * map operations, far cheaper than the password hash it protects: one lock is no bottleneck.
 */
@Singleton
public class LoginThrottle {

    /** How long a quiet counter is remembered after its delay ended. */
    static final Duration WINDOW = Duration.ofMinutes(15);
    static final int PAIR_FREE_FAILURES = 3;
    static final int SOURCE_FREE_FAILURES = 20;
    static final int ACCOUNT_FREE_FAILURES = 5;
    static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    static final Duration PAIR_MAX_DELAY = Duration.ofMinutes(15);
    static final Duration SOURCE_MAX_DELAY = Duration.ofMinutes(15);
    static final Duration ACCOUNT_MAX_DELAY = Duration.ofSeconds(30);
    static final int DEFAULT_MAX_ENTRIES = 100_000;
    /** Longest email address (RFC 5321) is 254; anything longer is stored as its hash. */
    static final int MAX_KEY_CHARS = 256;

    /** Which counter refused an attempt: a metric and log label, never shown to the client. */
    public enum Limit {
        /** Allowed: no counter is delaying. */
        NONE,
        /** Too many failures for this account from this source. */
        ACCOUNT_FROM_SOURCE,
        /** Too many failures from this source across accounts (spraying). */
        SOURCE,
        /** Too many failures for this account across sources (short delay only). */
        ACCOUNT
    }

    /**
     * Whether an attempt may go ahead now.
     *
     * @param allowed    true when the password may be checked
     * @param retryAfter how long until an attempt will be allowed; zero when allowed
     * @param reason     text for the user, the same whichever counter refused, so it reveals
     *                   nothing about whether the account exists
     * @param limitedBy  which counter refused, for metrics and logs
     */
    public record Verdict(boolean allowed, Duration retryAfter, String reason, Limit limitedBy) {

        static final Verdict ALLOWED = new Verdict(true, Duration.ZERO, "allowed", Limit.NONE);

        static Verdict refused(Duration retryAfter, Limit limitedBy) {
            return new Verdict(false, retryAfter,
                    "too many failed attempts; try again in " + humanDuration(retryAfter), limitedBy);
        }
    }

    private record PairKey(String account, String source) {
    }

    /** Failures of one key: count and time of the last one. Mutated only under the throttle's lock. */
    private static final class Counter {
        int failures;
        Instant lastFailure;
    }

    /** When the delay for a count of failures starts and how high it may grow. */
    private record Policy(int freeFailures, Duration maxDelay) {

        Duration delayAfter(int failures) {
            if (failures < freeFailures) {
                return Duration.ZERO;
            }
            int doublings = failures - freeFailures;
            // 2^30 s is beyond any cap; stopping there keeps the shift from overflowing.
            if (doublings >= 30) {
                return maxDelay;
            }
            Duration delay = FIRST_DELAY.multipliedBy(1L << doublings);
            return delay.compareTo(maxDelay) < 0 ? delay : maxDelay;
        }
    }

    private static final Policy PAIR = new Policy(PAIR_FREE_FAILURES, PAIR_MAX_DELAY);
    private static final Policy SOURCE = new Policy(SOURCE_FREE_FAILURES, SOURCE_MAX_DELAY);
    private static final Policy ACCOUNT = new Policy(ACCOUNT_FREE_FAILURES, ACCOUNT_MAX_DELAY);
    /** The count stops growing here; every policy is at its cap long before. */
    private static final int MAX_COUNTED_FAILURES = 1_000;

    /** Guarded by {@code this}. Ordered by last failure, oldest first. */
    private final LinkedHashMap<PairKey, Counter> pairs;
    /** Guarded by {@code this}. Ordered by last failure, oldest first. */
    private final LinkedHashMap<String, Counter> sources;
    /** Guarded by {@code this}. Ordered by last failure, oldest first. */
    private final LinkedHashMap<String, Counter> accounts;

    /** Used by CDI: {@value #DEFAULT_MAX_ENTRIES} keys per counter kind. */
    public LoginThrottle() {
        this(DEFAULT_MAX_ENTRIES);
    }

    /** For tests that need eviction to happen with a handful of keys. */
    LoginThrottle(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive");
        }
        this.pairs = boundedMap(maxEntries);
        this.sources = boundedMap(maxEntries);
        this.accounts = boundedMap(maxEntries);
    }

    /**
     * Whether {@code account} may try a password from {@code source} at {@code now}.
     * Changes nothing but forgetting counters that have expired. Account names are compared
     * after trimming and lower-casing; null counts as empty.
     *
     * @return allowed, or refused with the longest remaining delay of the three counters
     */
    public Verdict check(String account, String source, Instant now) {
        Objects.requireNonNull(now, "now");
        String accountKey = key(account);
        String sourceKey = key(source);
        synchronized (this) {
            Verdict verdict = Verdict.ALLOWED;
            verdict = longer(verdict, remaining(pairs, new PairKey(accountKey, sourceKey), PAIR, now),
                    Limit.ACCOUNT_FROM_SOURCE);
            verdict = longer(verdict, remaining(sources, sourceKey, SOURCE, now), Limit.SOURCE);
            verdict = longer(verdict, remaining(accounts, accountKey, ACCOUNT, now), Limit.ACCOUNT);
            return verdict;
        }
    }

    /**
     * Counts a failed attempt at {@code now} against the pair, the source and the account.
     * Never throws for any account or source text (null counts as empty).
     */
    public void recordFailure(String account, String source, Instant now) {
        Objects.requireNonNull(now, "now");
        String accountKey = key(account);
        String sourceKey = key(source);
        synchronized (this) {
            fail(pairs, new PairKey(accountKey, sourceKey), PAIR, now);
            fail(sources, sourceKey, SOURCE, now);
            fail(accounts, accountKey, ACCOUNT, now);
        }
    }

    /**
     * Forgets the failures of {@code account} from {@code source}: the user proved they know
     * the password. The source and account-wide counters are kept (see the class comment).
     * {@code now} is not needed today; it keeps the three methods alike for callers.
     */
    public void recordSuccess(String account, String source, Instant now) {
        Objects.requireNonNull(now, "now");
        PairKey pair = new PairKey(key(account), key(source));
        synchronized (this) {
            pairs.remove(pair);
        }
    }

    /** How many keys each map holds now; for tests of the memory bound. */
    synchronized int trackedKeys() {
        return Math.max(pairs.size(), Math.max(sources.size(), accounts.size()));
    }

    /** The delay left for {@code key} at {@code now}, forgetting it if it expired. Caller holds {@code this}. */
    private <K> Duration remaining(LinkedHashMap<K, Counter> counters, K key, Policy policy, Instant now) {
        Counter counter = counters.get(key);
        if (counter == null) {
            return Duration.ZERO;
        }
        if (expired(counter, policy, now)) {
            counters.remove(key);
            return Duration.ZERO;
        }
        Instant delayEnds = delayEnds(counter, policy);
        return now.isBefore(delayEnds) ? Duration.between(now, delayEnds) : Duration.ZERO;
    }

    /** Counts one failure for {@code key}, starting afresh if it expired. Caller holds {@code this}. */
    private <K> void fail(LinkedHashMap<K, Counter> counters, K key, Policy policy, Instant now) {
        // Removed and put back so that the map's order stays "oldest last failure first".
        Counter counter = counters.remove(key);
        if (counter == null || expired(counter, policy, now)) {
            counter = new Counter();
        }
        counter.failures = Math.min(counter.failures + 1, MAX_COUNTED_FAILURES);
        // A failure reported with an older time (callers' clocks, reordering) never shortens a delay.
        if (counter.lastFailure == null || now.isAfter(counter.lastFailure)) {
            counter.lastFailure = now;
        }
        counters.put(key, counter); // may evict the eldest, see boundedMap
    }

    private static Instant delayEnds(Counter counter, Policy policy) {
        return counter.lastFailure.plus(policy.delayAfter(counter.failures));
    }

    /** Quiet for the whole window after its delay ended: to be forgotten. */
    private static boolean expired(Counter counter, Policy policy, Instant now) {
        return !now.isBefore(delayEnds(counter, policy).plus(WINDOW));
    }

    private static Verdict longer(Verdict current, Duration remaining, Limit limit) {
        if (remaining.isZero() || remaining.compareTo(current.retryAfter()) <= 0) {
            return current;
        }
        return Verdict.refused(remaining, limit);
    }

    /** Insertion-ordered map that drops its eldest entry once it holds more than {@code maxEntries}. */
    private static <K> LinkedHashMap<K, Counter> boundedMap(int maxEntries) {
        return new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, Counter> eldest) {
                return size() > maxEntries;
            }
        };
    }

    /**
     * The map key for an account name or source: trimmed and lower-cased (so "Alice " and
     * "alice" share counters), null as empty, and over-long text replaced by its SHA-256 so
     * that a caller cannot make one key arbitrarily large.
     */
    static String key(String text) {
        if (text == null) {
            return "";
        }
        String normalised = text.strip().toLowerCase(Locale.ROOT);
        if (normalised.length() <= MAX_KEY_CHARS) {
            return normalised;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(normalised.getBytes(StandardCharsets.UTF_8));
            // Someone may pass this hashed form as a name and share the long name's counter;
            // harmless, since names this long are never real accounts (usernames are at most
            // 128 characters) nor real addresses.
            return "#sha256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** "8 s" below two minutes, else whole minutes ("15 min"), always rounded up. */
    static String humanDuration(Duration duration) {
        long seconds = duration.getSeconds() + (duration.getNano() > 0 ? 1 : 0);
        if (seconds < 120) {
            return seconds + " s";
        }
        return (seconds + 59) / 60 + " min";
    }
}
