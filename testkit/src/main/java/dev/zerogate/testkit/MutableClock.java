package dev.zerogate.testkit;

import io.quarkus.test.Mock;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The tests' clock: the real time, shifted by an offset that a test sets, so that key rotation
 * and expiry can be tested without waiting. Tests that shift it reset it afterwards.
 *
 * <p>A {@link Mock} bean: in a service that indexes this jar for its tests
 * ({@code %test.quarkus.index-dependency.testkit.*}) it replaces the service's {@link Clock}.
 * Services that do not index it keep their own clock.
 */
@Mock
@jakarta.inject.Singleton
public class MutableClock extends Clock {

    /** Read on every {@link #instant()} from any thread; replaced whole. */
    private volatile Duration offset = Duration.ZERO;

    public void shift(Duration by) {
        offset = offset.plus(by);
    }

    public void reset() {
        offset = Duration.ZERO;
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the tests' clock is UTC");
    }
}
