package dev.zerogate.policy.engine.decision;

/**
 * Why a decision denied, as the proto's {@code DenyReason} (mapped value by value in
 * {@code EngineMapping}). Also a metric label.
 */
public enum DenyReason {
    /** Not denied. */
    UNSPECIFIED,
    /** No resource matches the destination, or the match is hidden from this caller (see package docs). */
    NO_MATCHING_RESOURCE,
    /** A resource matches but its port rule does not allow this protocol and port. */
    PORT_NOT_ALLOWED,
    /** No enabled, unexpired rule gives the caller this resource (the caller's rules for it are disabled). */
    NO_MATCHING_RULE,
    /** A rule applies but requires MFA and the sign-in had none. */
    MFA_REQUIRED,
    /** A rule applies but the sign-in is older than its max_auth_age. */
    AUTH_TOO_OLD,
    /** A rule applies but needs an enrolled device and the request has none. */
    DEVICE_REQUIRED,
    /** A rule applies but the device's posture does not meet its requirements. */
    DEVICE_POSTURE,
    /** A rule applies but not at this time. */
    OUTSIDE_TIME_WINDOW,
    /** The only rules that would apply have expired. */
    RULE_EXPIRED
}
