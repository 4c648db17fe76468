package dev.zerogate.connector.credentials;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Delays between attempts after failures: doubling from {@code initial} up to {@code max}, each
 * with "equal jitter" (a random point in the upper half), so that many connectors that lost
 * identity-svc at once do not come back at once, and no delay is ever below half of
 * {@code initial}.
 */
public record Backoff(Duration initial, Duration max, RandomGenerator random) {

    /** 1 s, 2 s, 4 s, … up to 60 s. */
    public static Backoff standard() {
        return new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), RandomGenerator.getDefault());
    }

    /** The delay before attempt {@code failures + 1}, after {@code failures} (≥ 1) failures in a row. */
    public Duration delay(int failures) {
        int doublings = Math.min(Math.max(failures, 1) - 1, 30);
        long ceiling = Math.min(max.toMillis(), initial.toMillis() << Math.min(doublings, 20));
        long half = ceiling / 2;
        return Duration.ofMillis(half + random.nextLong(ceiling - half + 1));
    }
}
