package dev.zerogate.policy.engine.model;

/** Where a group's membership comes from, as the proto's {@code GroupSource}. */
public enum GroupSource {
    /** A value the adapter could not map; such a group has no members. */
    UNSPECIFIED,
    /** Members are edited in zerogate: user ids and service-account ids. */
    LOCAL,
    /** Users are members while their token's {@code groups} claim contains the IdP group name. */
    IDP_SYNC
}
