package dev.zerogate.policy.engine.decision;

/** Outcome of a decision, as the proto's {@code Decision} enum (mapped value by value in {@code EngineMapping}). */
public enum Verdict {
    PERMIT,
    DENY
}
