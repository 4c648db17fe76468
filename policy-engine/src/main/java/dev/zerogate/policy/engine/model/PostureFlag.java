package dev.zerogate.policy.engine.model;

/** A yes/no posture attribute as a device reports it; UNKNOWN when it did not report it (fails any requirement). */
public enum PostureFlag {
    ON,
    OFF,
    UNKNOWN
}
