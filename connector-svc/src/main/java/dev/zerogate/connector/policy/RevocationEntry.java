package dev.zerogate.connector.policy;

import java.time.Instant;
import java.util.Objects;

/**
 * A revocation in the connector's copy of the policy.
 *
 * @param revokedAt when it was revoked (the latest, if the subject was revoked more than once)
 * @param reason    the human reason, for logs; at most 500 characters
 */
public record RevocationEntry(Instant revokedAt, String reason) {

    public RevocationEntry {
        Objects.requireNonNull(revokedAt, "revokedAt");
        reason = reason == null ? "" : reason;
    }
}
