package dev.zerogate.connector.policy;

import java.util.Objects;

/**
 * What a revocation names: a user, device, connector, service account or session, by id.
 *
 * @param kind what kind of subject
 * @param id   its id (UUID)
 */
public record RevokedSubject(Kind kind, String id) {

    /** The subjects of {@code zerogate.policy.v1.Revocation}. */
    public enum Kind {
        USER, DEVICE, CONNECTOR, SERVICE_ACCOUNT, SESSION
    }

    public RevokedSubject {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
    }
}
