package dev.zerogate.servicekit.keys;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * When keys rotate and how long a retired key stays published. Every replica signs with the
 * active key it last loaded and reloads every {@code reloadInterval}; a retired key's publication
 * is therefore extended by that interval (and {@link #CLOCK_SKEW}) beyond the lifetime of what it
 * signed, so that something signed by a replica that has not noticed the rotation yet still
 * verifies.
 *
 * @param rotationPeriod how long a key is active before a new one takes over
 * @param signedLifetime the longest validity of anything a key signs (token, grant)
 * @param reloadInterval how long a replica uses the key set it loaded before reading it again
 */
public record RotationSchedule(Duration rotationPeriod, Duration signedLifetime, Duration reloadInterval) {

    /** Clock difference between replicas and verifiers that a retired key's publication covers. */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    /** Whether {@code active} has served its period at {@code now}; with no active key, always. */
    public boolean isRotationDue(StoredSigningKey active, OffsetDateTime now) {
        return active == null || !active.createdAt.plus(rotationPeriod).isAfter(now);
    }

    /** Until when a key retired at {@code now} must stay published. */
    public OffsetDateTime retiredNotAfter(OffsetDateTime now) {
        return now.plus(signedLifetime).plus(reloadInterval).plus(CLOCK_SKEW);
    }

    /** Whether a key set loaded at {@code loadedAt} is too old to use at {@code now}. */
    public boolean isReloadDue(Instant loadedAt, Instant now) {
        return !loadedAt.plus(reloadInterval).isAfter(now);
    }
}
