package dev.zerogate.policy;

import dev.zerogate.policy.engine.spec.ResourceSpec;

import java.time.Instant;

/**
 * A resource as stored: its address and ports normalised when it was written, everything else
 * as written.
 *
 * @param spec what the engine decides with
 * @param description free text for admins
 * @param createdAt when it was created
 * @param updatedAt when it last changed
 * @param changeSequence the policy_log position of its last change: its etag
 */
public record ResourceRecord(ResourceSpec spec, String description, Instant createdAt, Instant updatedAt, long changeSequence)
        implements PolicyRecord {

    public String id() {
        return spec.id();
    }

    public String networkId() {
        return spec.networkId();
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
