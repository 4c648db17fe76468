package dev.zerogate.policy.engine.model;

import dev.zerogate.policy.engine.InvalidPolicyException;

/**
 * Who an access rule is for: every member of a group, or one service account.
 *
 * @param kind group or service account
 * @param id the group id or the service-account id
 */
public record RuleSubject(Kind kind, String id) {

    /** The proto's {@code AccessRule.subject} oneof. */
    public enum Kind {
        GROUP,
        SERVICE_ACCOUNT
    }

    public RuleSubject {
        if (kind == null) {
            throw new InvalidPolicyException("subject", "is required: group_id or service_account_id");
        }
        Names.requireId(id, kind == Kind.GROUP ? "group_id" : "service_account_id");
    }

    public static RuleSubject group(String groupId) {
        return new RuleSubject(Kind.GROUP, groupId);
    }

    public static RuleSubject serviceAccount(String serviceAccountId) {
        return new RuleSubject(Kind.SERVICE_ACCOUNT, serviceAccountId);
    }
}
