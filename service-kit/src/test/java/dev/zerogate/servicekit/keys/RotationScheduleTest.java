package dev.zerogate.servicekit.keys;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** When keys rotate, how long retired keys stay published, when a key set is stale. */
class RotationScheduleTest {

    static final OffsetDateTime T0 = OffsetDateTime.parse("2025-01-01T00:00:00Z");
    static final RotationSchedule SCHEDULE = new RotationSchedule(Duration.ofDays(30), Duration.ofMinutes(10), Duration.ofSeconds(30));

    @Test
    void rotationIsDueOnceTheActiveKeyHasServedItsPeriod() {
        TestKey active = TestKey.active("k", T0);
        assertEquals(false, SCHEDULE.isRotationDue(active, T0.plusDays(30).minusNanos(1)));
        assertEquals(true, SCHEDULE.isRotationDue(active, T0.plusDays(30)));
        assertEquals(true, SCHEDULE.isRotationDue(null, T0), "no active key");
    }

    @Test
    void retiredKeyOutlivesWhatItSignedByTheReloadIntervalAndAMinute() {
        assertEquals(T0.plusMinutes(11).plusSeconds(30), SCHEDULE.retiredNotAfter(T0));
    }

    @Test
    void keySetIsReloadedOnceOlderThanTheReloadInterval() {
        assertEquals(false, SCHEDULE.isReloadDue(Instant.EPOCH, Instant.EPOCH.plusSeconds(29)));
        assertEquals(true, SCHEDULE.isReloadDue(Instant.EPOCH, Instant.EPOCH.plusSeconds(30)));
    }
}
