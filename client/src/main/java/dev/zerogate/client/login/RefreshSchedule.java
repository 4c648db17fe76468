package dev.zerogate.client.login;

import java.time.Duration;
import java.time.Instant;

/**
 * When a running tunnel renews what it holds. Pure functions of the credential's own times and
 * a jitter in [0, 1), so that the many clients of one installation do not all call identity-svc
 * in the same second (after an outage, or a fleet started together).
 *
 * <ul>
 *   <li>Access token: refreshed when 20–30 % of its lifetime is left (10-minute tokens: 2–3
 *       minutes ahead), so a slow or briefly unreachable identity-svc still leaves time for
 *       retries before the token runs out.</li>
 *   <li>Device certificate: renewed at two thirds of its lifetime plus up to 5 % of it, the
 *       point from which identity-svc's renew_after allows it.</li>
 *   <li>Retries after a failure: 1 s doubling to 30 s, each drawn between half and all of that.</li>
 * </ul>
 */
final class RefreshSchedule {

    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration LONGEST_RETRY = Duration.ofSeconds(30);

    private RefreshSchedule() {
    }

    /** When to refresh an access token issued at {@code issuedAt} that expires at {@code expiresAt}. */
    static Instant refreshAt(Instant issuedAt, Instant expiresAt, double jitter) {
        long lifetimeMillis = Duration.between(issuedAt, expiresAt).toMillis();
        if (lifetimeMillis <= 0) {
            return expiresAt;
        }
        long aheadMillis = (long) (lifetimeMillis * (0.20 + 0.10 * clamp(jitter)));
        return expiresAt.minusMillis(aheadMillis);
    }

    /** When to renew a certificate valid from {@code notBefore} to {@code notAfter}. */
    static Instant renewAt(Instant notBefore, Instant notAfter, double jitter) {
        long lifetimeMillis = Duration.between(notBefore, notAfter).toMillis();
        if (lifetimeMillis <= 0) {
            return notAfter;
        }
        return notBefore.plusMillis(lifetimeMillis * 2 / 3 + (long) (lifetimeMillis * 0.05 * clamp(jitter)));
    }

    /** How long to wait after the {@code failures}-th failure in a row (1 or more). */
    static Duration retryAfter(int failures, double jitter) {
        long ceiling = FIRST_RETRY.toMillis() << Math.min(Math.max(failures, 1) - 1, 16);
        ceiling = Math.min(ceiling, LONGEST_RETRY.toMillis());
        return Duration.ofMillis(ceiling / 2 + (long) (ceiling / 2 * clamp(jitter)));
    }

    private static double clamp(double jitter) {
        return Math.min(Math.max(jitter, 0), 1);
    }
}
