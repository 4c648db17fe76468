package dev.zerogate.policy;

import dev.zerogate.policy.engine.model.GroupSource;
import dev.zerogate.policy.engine.spec.GroupSpec;

import java.time.Instant;
import java.util.List;

/**
 * One event of the policy stream that relays and connectors follow.
 *
 * @param sequence the policy_log position of the change; a snapshot item's is its entity's last
 *     change; 0 for markers (snapshot begin and end, resync, keep-alive)
 * @param committedAt when the change was committed; the send time for snapshot items and markers
 * @param body what happened
 */
public record StreamEvent(long sequence, Instant committedAt, Body body) {

    /** What a stream event says. */
    public sealed interface Body permits SnapshotBegin, SnapshotEnd, ResourceUpserted, ResourceDeleted, RuleUpserted, RuleDeleted,
            MembershipChanged, Revoked, ResyncRequired, KeepAlive {}

    /** A snapshot follows: everything in scope as of {@code snapshotSequence}. */
    public record SnapshotBegin(long snapshotSequence, int estimatedItemCount) implements Body {}

    /** The snapshot is complete; changes after {@code snapshotSequence} follow. */
    public record SnapshotEnd(long snapshotSequence, int itemCount) implements Body {}

    /** A resource in scope was created or changed (or came into scope). */
    public record ResourceUpserted(ResourceRecord resource) implements Body {}

    /** A resource was deleted or left scope. */
    public record ResourceDeleted(String resourceId, String networkId) implements Body {}

    /** A rule in scope was created or changed (or came into scope). */
    public record RuleUpserted(RuleRecord rule) implements Body {}

    /** A rule was deleted or left scope. */
    public record RuleDeleted(String ruleId) implements Body {}

    /**
     * A group's membership as it is now; for a deleted group, no source and no members.
     *
     * @param members LOCAL members, in the order stored
     */
    public record MembershipChanged(String groupId, boolean deleted, GroupSource source, List<GroupSpec.Member> members)
            implements Body {

        public MembershipChanged {
            members = List.copyOf(members);
        }
    }

    /** A subject was revoked. */
    public record Revoked(RevocationRecord revocation) implements Body {}

    /** The subscriber cannot resume from where it asked; the stream ends after this. */
    public record ResyncRequired(long oldestRetainedSequence, long headSequence, String reason) implements Body {}

    /** Nothing happened for a while; the log's head is {@code headSequence}. */
    public record KeepAlive(long headSequence) implements Body {}
}
