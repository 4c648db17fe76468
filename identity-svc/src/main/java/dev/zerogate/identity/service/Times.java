package dev.zerogate.identity.service;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** The one way identity-svc turns its clock into a database timestamp: UTC. */
public final class Times {

    private Times() {
    }

    public static OffsetDateTime utcNow(Clock clock) {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }
}
