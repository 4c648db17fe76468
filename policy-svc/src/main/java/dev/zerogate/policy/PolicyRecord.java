package dev.zerogate.policy;

/**
 * An entity of the policy model as policy-svc stores it: what a row holds, what a policy_log
 * entry carries, and what the admin API returns.
 */
public sealed interface PolicyRecord permits NetworkRecord, ConnectorRecord, ResourceRecord, GroupRecord, RuleRecord, RevocationRecord {

    /** The entity's id (for a revocation, "KIND:subject id"). */
    String key();
}
