package dev.zerogate.policy.engine.model;

import dev.zerogate.policy.engine.InvalidPolicyException;
import dev.zerogate.policy.engine.conditions.AccessConditions;

import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;

/**
 * Gives a group or a service account access to resources, under conditions.
 *
 * @param id rule id
 * @param name display name, e.g. "admins → pihole"
 * @param subject who the rule is for
 * @param resourceIds the resources granted, 1 to 1000, no duplicates
 * @param conditions what must hold for the rule to permit
 * @param disabled true to keep the rule but have it grant nothing
 * @param createdAt when it was created: the rule's place in evaluation order
 */
public record AccessRule(
        String id,
        String name,
        RuleSubject subject,
        List<String> resourceIds,
        AccessConditions conditions,
        boolean disabled,
        Instant createdAt) {

    /** Most resources one rule may list, from the proto. */
    public static final int MAX_RESOURCES = 1000;

    /** Evaluation order, from the proto: oldest first, then by id so that ties are stable. */
    public static final Comparator<AccessRule> EVALUATION_ORDER =
            Comparator.comparing(AccessRule::createdAt).thenComparing(AccessRule::id);

    public AccessRule {
        Names.requireId(id, "id");
        name = Names.requireName(name, "name");
        if (subject == null) {
            throw new InvalidPolicyException("subject", "is required: group_id or service_account_id");
        }
        if (resourceIds == null || resourceIds.isEmpty() || resourceIds.size() > MAX_RESOURCES) {
            throw new InvalidPolicyException("resource_ids", "must list 1 to " + MAX_RESOURCES + " resources");
        }
        resourceIds = List.copyOf(resourceIds);
        if (new HashSet<>(resourceIds).size() != resourceIds.size()) {
            throw new InvalidPolicyException("resource_ids", "lists a resource more than once");
        }
        conditions = conditions == null ? AccessConditions.NONE : conditions;
        if (createdAt == null) {
            throw new InvalidPolicyException("created_at", "is required: it orders rules in evaluation");
        }
    }

    /** Whether the rule has expired at {@code now}: exactly at {@code expires_at} it has. */
    public boolean isExpiredAt(Instant now) {
        return conditions.expiresAt().map(expiry -> !now.isBefore(expiry)).orElse(false);
    }

    /** Whether the rule can grant anything at {@code now}: enabled and unexpired. */
    public boolean isActiveAt(Instant now) {
        return !disabled && !isExpiredAt(now);
    }

    /** "rule 'admins → pihole'", for messages. */
    public String describe() {
        return "rule '" + name + "'";
    }
}
