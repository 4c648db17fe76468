package dev.zerogate.policy.engine;

/** Outcome of a decision: the proto's {@code Decision} enum without its prefix. */
public enum Verdict {
    PERMIT,
    DENY
}
