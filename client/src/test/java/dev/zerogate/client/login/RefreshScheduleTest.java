package dev.zerogate.client.login;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RefreshScheduleTest {

    private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");

    @ParameterizedTest(name = "lifetime {0} s, jitter {1}: refresh {2} s before expiry")
    @CsvSource({
            "600, 0.0, 120",   // 10-minute tokens: 2 to 3 minutes ahead
            "600, 0.5, 150",
            "600, 0.999999, 179",
            "20, 0.0, 4",      // the tests' 20 s tokens: 4 to 6 s ahead
            "20, 1.0, 6",
            "0, 0.5, 0",       // a token without a lifetime: at its expiry
    })
    void anAccessTokenIsRefreshedWhenAFifthToThreeTenthsOfItsLifeIsLeft(long lifetime, double jitter, long aheadSeconds) {
        Instant expiresAt = T0.plusSeconds(lifetime);
        Instant at = RefreshSchedule.refreshAt(T0, expiresAt, jitter);
        assertEquals(aheadSeconds, Duration.between(at, expiresAt).toSeconds());
    }

    @ParameterizedTest(name = "lifetime {0} s, jitter {1}: renew {2} s after issue")
    @CsvSource({
            "86400, 0.0, 57600",  // 24 h certificates: at 16 h
            "86400, 1.0, 61920",  // ... at most 5 % of the lifetime later
            "60, 0.0, 40",        // the tests' 60 s certificates
            "60, 1.0, 43",
    })
    void aCertificateIsRenewedAtTwoThirdsOfItsLife(long lifetime, double jitter, long afterSeconds) {
        Instant at = RefreshSchedule.renewAt(T0, T0.plusSeconds(lifetime), jitter);
        assertEquals(afterSeconds, Duration.between(T0, at).toSeconds());
    }

    @ParameterizedTest(name = "failure {0}, jitter {1}: {2} ms")
    @CsvSource({
            "1, 0.0, 500", "1, 1.0, 1000",
            "2, 1.0, 2000", "3, 1.0, 4000", "5, 1.0, 16000",
            "6, 1.0, 30000", "40, 1.0, 30000", "40, 0.0, 15000",
            "0, 1.0, 1000",
    })
    void retriesBackOffFromOneSecondToThirtyWithJitter(int failures, double jitter, long millis) {
        assertEquals(millis, RefreshSchedule.retryAfter(failures, jitter).toMillis());
    }
}
