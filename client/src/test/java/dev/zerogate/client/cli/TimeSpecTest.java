package dev.zerogate.client.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimeSpecTest {

    @ParameterizedTest
    @CsvSource({"8h, 28800", "30m, 1800", "2d, 172800", "45s, 45", "1h30m, 5400", "1d12h, 129600", "90m, 5400"})
    void readsDurationsInSecondsMinutesHoursAndDays(String text, long seconds) {
        assertEquals(Duration.ofSeconds(seconds), TimeSpec.duration(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"8", "h", "8x", "-1h", "1.5h", "8 h", "h8", "", "8H", "PT8H"})
    void refusesWhatIsNotADuration(String text) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> TimeSpec.duration(text));
        assertTrue(refused.getMessage().contains("is not a duration"), refused.getMessage());
    }

    @Test
    void refusesZeroAndAbsurdlyLongDurations() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TimeSpec.duration("0m")).getMessage().contains("above zero"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TimeSpec.duration("99999999999999999999d")).getMessage()
                .contains("longer than 3650 days"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TimeSpec.duration("3651d")).getMessage()
                .contains("longer than 3650 days"));
    }

    @ParameterizedTest
    @CsvSource({"28800, 8h", "5400, 1h30m", "172800, 2d", "45, 45s", "90061, 1d1h1m1s"})
    void rendersDurationsThatReadBackTheSame(long seconds, String text) {
        assertEquals(text, TimeSpec.render(Duration.ofSeconds(seconds)));
        assertEquals(Duration.ofSeconds(seconds), TimeSpec.duration(TimeSpec.render(Duration.ofSeconds(seconds))));
    }

    @Test
    void readsPointsInTimeWithAnOffset() {
        assertEquals(Instant.parse("2026-12-31T00:00:00Z"), TimeSpec.instant("2026-12-31T00:00:00Z"));
        assertEquals(Instant.parse("2026-12-30T23:00:00Z"), TimeSpec.instant("2026-12-31T00:00:00+01:00"));
        assertEquals(1798675200L, TimeSpec.toProto(TimeSpec.instant("2026-12-31T00:00:00Z")).getSeconds());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-12-31", "2026-12-31T00:00:00", "tomorrow", ""})
    void refusesPointsInTimeWithoutADateTimeAndOffset(String text) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> TimeSpec.instant(text));
        assertTrue(refused.getMessage().contains("is not a point in time"), refused.getMessage());
    }

    @Test
    void timestampsReadToTheSecondAndUnsetOnesAsADash() {
        assertEquals("2026-12-31T00:00:00Z", TimeSpec.render(com.google.protobuf.Timestamp.newBuilder()
                .setSeconds(1798675200L).setNanos(580_455_000).build()));
        assertEquals("-", TimeSpec.render(com.google.protobuf.Timestamp.getDefaultInstance()));
    }
}
