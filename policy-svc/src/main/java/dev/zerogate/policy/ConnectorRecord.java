package dev.zerogate.policy;

import java.time.Instant;

/**
 * A connector's placement as stored (its credentials are identity-svc's).
 *
 * @param id connector id, also its id in identity-svc
 * @param networkId the remote network it serves; never changes
 * @param name display name, unique in its network ignoring case
 * @param description free text for admins
 * @param createdAt when it was created
 * @param updatedAt when its editable fields last changed
 * @param changeSequence the policy_log position of its last change: its etag
 */
public record ConnectorRecord(String id, String networkId, String name, String description, Instant createdAt, Instant updatedAt,
                              long changeSequence) implements PolicyRecord {

    @Override
    public String key() {
        return id;
    }

    public String etag() {
        return Long.toString(changeSequence);
    }
}
