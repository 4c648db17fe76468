package dev.zerogate.identity.service;

import dev.zerogate.identity.RefreshToken;
import dev.zerogate.identity.crypto.OpaqueTokens;
import dev.zerogate.identity.service.ReplayVerdict.Successor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReplayVerdictTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    /**
     * A spent token presented again {@code spentAgo} before NOW (negative: a replica whose clock
     * runs ahead spent it), with the grace window {@code grace}.
     */
    @ParameterizedTest(name = "spent {0} ago, grace {1}, successor {2}, revoked {3}: {4}")
    @CsvSource({
            // the window, inclusive at its end
            "PT0S,         PT30S, LIVE,    false, RETURN_SUCCESSOR",
            "PT1S,         PT30S, LIVE,    false, RETURN_SUCCESSOR",
            "PT29.999999S, PT30S, LIVE,    false, RETURN_SUCCESSOR",
            "PT30S,        PT30S, LIVE,    false, RETURN_SUCCESSOR",
            "PT30.000001S, PT30S, LIVE,    false, OUTSIDE_WINDOW",
            "PT31S,        PT30S, LIVE,    false, OUTSIDE_WINDOW",
            "P30D,         PT30S, LIVE,    false, OUTSIDE_WINDOW",
            "-PT5S,        PT30S, LIVE,    false, RETURN_SUCCESSOR",
            // another window
            "PT4M59S,      PT5M,  LIVE,    false, RETURN_SUCCESSOR",
            "PT5M1S,       PT5M,  LIVE,    false, OUTSIDE_WINDOW",
            // no grace: every replay is reuse, even at once
            "PT0S,         PT0S,  LIVE,    false, GRACE_OFF",
            "-PT5S,        PT0S,  LIVE,    false, GRACE_OFF",
            "PT0S,         -PT1S, LIVE,    false, GRACE_OFF",
            // the successor must be the family's live token
            "PT1S,         PT30S, USED,    false, SUCCESSOR_USED",
            "PT1S,         PT30S, EXPIRED, false, SUCCESSOR_EXPIRED",
            "PT1S,         PT30S, GONE,    false, SUCCESSOR_GONE",
            "PT1S,         PT30S, NONE,    false, NO_SUCCESSOR",
            // an ended session has nothing to return
            "PT1S,         PT30S, LIVE,    true,  SESSION_REVOKED",
            // several reasons: the window is judged first, then the successor
            "PT31S,        PT30S, USED,    false, OUTSIDE_WINDOW",
            "PT31S,        PT0S,  USED,    true,  GRACE_OFF",
    })
    void decides(Duration spentAgo, Duration grace, Successor successor, boolean revoked, ReplayVerdict expected) {
        assertEquals(expected, ReplayVerdict.decide(NOW.minus(spentAgo), NOW, grace, successor, revoked));
    }

    @Test
    void theSuccessorsStateComesFromItsRow() {
        UUID session = UUID.randomUUID();
        RefreshToken spent = token(session, null);
        assertEquals(Successor.NONE, Successor.of(spent, null, NOW), "nothing recorded");

        spent.successorHash = OpaqueTokens.digest("next");
        assertEquals(Successor.GONE, Successor.of(spent, null, NOW));
        assertEquals(Successor.GONE, Successor.of(spent, token(UUID.randomUUID(), null), NOW), "another session's token");
        assertEquals(Successor.LIVE, Successor.of(spent, token(session, null), NOW));
        assertEquals(Successor.USED, Successor.of(spent, token(session, NOW.minusSeconds(1)), NOW));

        RefreshToken expired = token(session, null);
        expired.expiresAt = at(NOW);
        assertEquals(Successor.EXPIRED, Successor.of(spent, expired, NOW), "expiry is exclusive, as in a refresh");
        expired.expiresAt = at(NOW.plusNanos(1000));
        assertEquals(Successor.LIVE, Successor.of(spent, expired, NOW));
    }

    private static RefreshToken token(UUID session, Instant usedAt) {
        RefreshToken token = new RefreshToken();
        token.sessionId = session;
        token.issuedAt = at(NOW.minusSeconds(60));
        token.expiresAt = at(NOW.plus(Duration.ofDays(30)));
        token.usedAt = usedAt == null ? null : at(usedAt);
        return token;
    }

    private static OffsetDateTime at(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
