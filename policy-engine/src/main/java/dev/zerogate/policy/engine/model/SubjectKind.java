package dev.zerogate.policy.engine.model;

/** Kinds of callers. {@link #UNSPECIFIED} stands for anything the adapter could not map: always denied. */
public enum SubjectKind {
    UNSPECIFIED,
    USER,
    SERVICE_ACCOUNT
}
