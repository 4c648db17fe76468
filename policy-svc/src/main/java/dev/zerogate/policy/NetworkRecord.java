package dev.zerogate.policy;

import java.time.Instant;

/**
 * A remote network as stored.
 *
 * @param id remote network id
 * @param name display name, unique ignoring case
 * @param description free text for admins
 * @param createdAt when it was created
 * @param updatedAt when it last changed
 * @param changeSequence the policy_log position of its last change: its etag
 */
public record NetworkRecord(String id, String name, String description, Instant createdAt, Instant updatedAt, long changeSequence)
        implements PolicyRecord {

    @Override
    public String key() {
        return id;
    }

    /** The etag the API shows: the change sequence as text. */
    public String etag() {
        return Long.toString(changeSequence);
    }
}
