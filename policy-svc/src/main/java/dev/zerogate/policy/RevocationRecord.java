package dev.zerogate.policy;

import java.time.Instant;

/**
 * A revocation relays and connectors enforce: policy-svc's own (a deleted connector) or one
 * identity-svc made.
 *
 * @param target what kind of subject is revoked
 * @param subjectId its id
 * @param revokedAt when it was revoked
 * @param reason why, for people
 */
public record RevocationRecord(Target target, String subjectId, Instant revokedAt, String reason) implements PolicyRecord {

    /** What a revocation can name. */
    public enum Target {
        USER,
        DEVICE,
        CONNECTOR,
        SERVICE_ACCOUNT,
        SESSION
    }

    /** "KIND:id": one revocation per subject is kept. */
    @Override
    public String key() {
        return target.name() + ":" + subjectId;
    }
}
