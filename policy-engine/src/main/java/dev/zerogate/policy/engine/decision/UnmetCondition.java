package dev.zerogate.policy.engine.decision;

/**
 * One condition of a rule that does not hold right now.
 *
 * @param reason the deny reason it stands for
 * @param explanation what is required and what was found: "requires MFA within 8 h: you authenticated 11 h ago"
 * @param remedy what the caller can do: "run `zerogate login`"
 * @param label short form for listings: "requires MFA"
 */
public record UnmetCondition(DenyReason reason, String explanation, String remedy, String label) {}
