package dev.zerogate.policy.engine.model;

import dev.zerogate.policy.engine.InvalidPolicyException;

import java.util.Optional;
import java.util.Set;

/**
 * A set of users and service accounts that access rules refer to.
 *
 * <p>Membership: a LOCAL group's members are the listed user and service-account ids. An
 * IDP_SYNC group follows an upstream IdP group: a user is a member when the access token's
 * {@code groups} claim contains {@link #idpGroupName()} exactly (case-sensitive, as the IdP
 * wrote it). The claim is the only source for IDP_SYNC groups, so a user removed upstream
 * loses access with their next token, and service accounts are never members of them.
 *
 * @param id group id
 * @param name display name, unique
 * @param source where membership comes from
 * @param idpGroupName the upstream group name; present exactly for IDP_SYNC groups
 * @param userIds member users of a LOCAL group
 * @param serviceAccountIds member service accounts of a LOCAL group
 */
public record Group(
        String id,
        String name,
        GroupSource source,
        Optional<String> idpGroupName,
        Set<String> userIds,
        Set<String> serviceAccountIds) {

    /** Most members a LOCAL group may list, from the proto. */
    public static final int MAX_MEMBERS = 10_000;

    /** Longest IdP group name, from the proto. */
    public static final int MAX_IDP_GROUP_NAME_LENGTH = 255;

    public Group {
        Names.requireId(id, "id");
        name = Names.requireName(name, "name");
        if (source == null || source == GroupSource.UNSPECIFIED) {
            throw new InvalidPolicyException("source", "is required: LOCAL or IDP_SYNC");
        }
        idpGroupName = idpGroupName == null ? Optional.empty() : idpGroupName;
        userIds = userIds == null ? Set.of() : Set.copyOf(userIds);
        serviceAccountIds = serviceAccountIds == null ? Set.of() : Set.copyOf(serviceAccountIds);
        if (userIds.size() + serviceAccountIds.size() > MAX_MEMBERS) {
            throw new InvalidPolicyException("members", "has " + (userIds.size() + serviceAccountIds.size())
                    + " members; at most " + MAX_MEMBERS);
        }
        if (source == GroupSource.IDP_SYNC) {
            String upstream = idpGroupName.orElse("");
            if (upstream.isEmpty() || upstream.length() > MAX_IDP_GROUP_NAME_LENGTH) {
                throw new InvalidPolicyException("idp_group_name", "is required for an IDP_SYNC group: the exact value of the IdP's "
                        + "groups claim, 1 to " + MAX_IDP_GROUP_NAME_LENGTH + " characters");
            }
            if (!userIds.isEmpty() || !serviceAccountIds.isEmpty()) {
                throw new InvalidPolicyException("members", "of an IDP_SYNC group come from the IdP and cannot be listed");
            }
        } else if (idpGroupName.isPresent()) {
            throw new InvalidPolicyException("idp_group_name", "must be empty for a LOCAL group; use source IDP_SYNC to follow an IdP group");
        }
    }

    /** A LOCAL group with these members. */
    public static Group local(String id, String name, Set<String> userIds, Set<String> serviceAccountIds) {
        return new Group(id, name, GroupSource.LOCAL, Optional.empty(), userIds, serviceAccountIds);
    }

    /** An IDP_SYNC group following the upstream group {@code idpGroupName}. */
    public static Group idpSync(String id, String name, String idpGroupName) {
        return new Group(id, name, GroupSource.IDP_SYNC, Optional.of(idpGroupName), Set.of(), Set.of());
    }

    /** Whether the subject is a member right now. */
    public boolean includes(Subject subject) {
        return switch (subject.kind()) {
            case USER -> source == GroupSource.LOCAL
                    ? userIds.contains(subject.id())
                    : subject.groupsClaim().contains(idpGroupName.orElseThrow());
            case SERVICE_ACCOUNT -> source == GroupSource.LOCAL && serviceAccountIds.contains(subject.id());
            case UNSPECIFIED -> false;
        };
    }
}
