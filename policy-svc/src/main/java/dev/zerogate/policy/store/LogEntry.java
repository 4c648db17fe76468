package dev.zerogate.policy.store;

import dev.zerogate.policy.PolicyRecord;

import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;

/**
 * One committed change of the policy, as every replica reads it from policy_log.
 *
 * @param sequence position in the log; commit order
 * @param committedAt when it was written
 * @param kind what changed
 * @param entityId the changed entity's id (for a revocation, "kind:id" of its subject)
 * @param networkIds the remote networks the entity concerns after the change (a resource's
 *     network, the networks of a rule's resources, a connector's network); empty for changes
 *     that concern every network (groups, revocations) and for deletions
 * @param previousNetworkIds the networks it concerned before the change
 * @param payload the record {@link LogKind} describes
 */
public record LogEntry(long sequence, Instant committedAt, LogKind kind, String entityId, Set<String> networkIds,
                       Set<String> previousNetworkIds, PolicyRecord payload) {

    public LogEntry {
        networkIds = Set.copyOf(networkIds);
        previousNetworkIds = Set.copyOf(previousNetworkIds);
    }

    static String joinIds(Set<String> ids) {
        return String.join(" ", new TreeSet<>(ids));
    }

    static Set<String> splitIds(String text) {
        return text == null || text.isBlank() ? Set.of() : Set.of(text.trim().split(" "));
    }
}
