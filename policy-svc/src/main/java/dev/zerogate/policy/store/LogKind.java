package dev.zerogate.policy.store;

/**
 * What a policy_log entry records; stored as the constant's name. The payload is the protobuf
 * encoding of the entity after the change, or of the entity as it was when deleted.
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
    /** payload: zerogate.policy.v1.Revocation. */
    REVOCATION
}
