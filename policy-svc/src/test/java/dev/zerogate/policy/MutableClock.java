package dev.zerogate.policy;

import io.quarkus.test.Mock;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The tests' clock: the real time, shifted by an offset that a test sets, so that key rotation
 * and expiry can be tested without waiting. Tests that shift it reset it afterwards.
 */
@Mock
@jakarta.inject.Singleton
public class MutableClock extends Clock {

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
