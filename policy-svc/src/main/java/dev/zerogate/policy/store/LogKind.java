package dev.zerogate.policy.store;

/**
 * What a policy_log entry records; stored as the constant's name. The payload is the entity after
 * the change, or as it was when deleted, in its stored form (see {@link EntityCodec}).
 */
public enum LogKind {
    NETWORK_UPSERTED,
    NETWORK_DELETED,
    CONNECTOR_UPSERTED,
    CONNECTOR_DELETED,
    RESOURCE_UPSERTED,
    RESOURCE_DELETED,
    GROUP_UPSERTED,
    GROUP_DELETED,
    RULE_UPSERTED,
    RULE_DELETED,
    /** The payload is the revocation. */
    REVOCATION
}
