package dev.zerogate.connector.policy;

import dev.zerogate.policy.engine.model.GroupSource;

import java.util.Objects;
import java.util.Set;

/**
 * A group as the policy stream shows it to an enforcement point: its id, where its membership
 * comes from, and (for a LOCAL group) its members. The stream carries no name.
 *
 * @param groupId           the group (UUID)
 * @param source            LOCAL, IDP_SYNC, or UNSPECIFIED when the server did not say (treated as LOCAL)
 * @param userIds           member users of a LOCAL group; empty for IDP_SYNC
 * @param serviceAccountIds member service accounts of a LOCAL group; empty for IDP_SYNC
 */
public record GroupMembers(String groupId, GroupSource source, Set<String> userIds, Set<String> serviceAccountIds) {

    public GroupMembers {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(source, "source");
        userIds = Set.copyOf(userIds);
        serviceAccountIds = Set.copyOf(serviceAccountIds);
    }

    /**
     * Whether membership comes from the caller's token ({@code groups} claim) and so cannot be
     * checked here. Only an explicit IDP_SYNC counts: an unset source fails closed as LOCAL.
     */
    public boolean membershipIsInTokens() {
        return source == GroupSource.IDP_SYNC;
    }

    /** Whether {@code subject} (a user or service-account id) is a listed member. */
    public boolean lists(String subject) {
        return userIds.contains(subject) || serviceAccountIds.contains(subject);
    }
}
