package dev.zerogate.proto;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ProtoTimeTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"1970-01-01T00:00:00Z", "2025-06-02T10:00:00.000000001Z", "1969-12-31T23:59:59.5Z", "9999-12-31T23:59:59.999999999Z"})
    void instantsSurviveTheRoundTripToTheNanosecond(String text) {
        Instant instant = Instant.parse(text);
        Timestamp timestamp = ProtoTime.timestamp(instant);
        assertEquals(instant.getEpochSecond(), timestamp.getSeconds());
        assertEquals(instant.getNano(), timestamp.getNanos());
        assertEquals(instant, ProtoTime.instant(timestamp));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"PT0S", "PT5M", "PT0.000000001S", "P30D"})
    void durationsSurviveTheRoundTripToTheNanosecond(String text) {
        java.time.Duration duration = java.time.Duration.parse(text);
        Duration proto = ProtoTime.duration(duration);
        assertEquals(duration.getSeconds(), proto.getSeconds());
        assertEquals(duration.getNano(), proto.getNanos());
        assertEquals(duration, ProtoTime.duration(proto));
    }
}
