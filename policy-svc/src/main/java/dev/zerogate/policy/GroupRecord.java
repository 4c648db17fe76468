package dev.zerogate.policy;

import dev.zerogate.policy.engine.spec.GroupSpec;

import java.time.Instant;

/**
 * A group as stored.
 *
 * @param spec what the engine decides with: source, IdP group name and the members in the order written
 * @param description free text for admins
 * @param createdAt when it was created
 * @param updatedAt when it or its membership last changed
 * @param changeSequence the policy_log position of its last change: its etag
 */
public record GroupRecord(GroupSpec spec, String description, Instant createdAt, Instant updatedAt, long changeSequence)
        implements PolicyRecord {

    public String id() {
        return spec.id();
    }

    public String name() {
        return spec.name();
    }

    @Override
    public String key() {
        return spec.id();
    }

    public String etag() {
        return Long.toString(changeSequence);
    }
}
