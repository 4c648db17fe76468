/**
 * Deciding: {@link dev.zerogate.policy.engine.decision.PolicySnapshot} indexes a policy and
 * answers Authorize ({@link dev.zerogate.policy.engine.decision.Decision}, with a
 * {@link dev.zerogate.policy.engine.decision.DenyReason} and a human reason) and ListMyResources
 * ({@link dev.zerogate.policy.engine.decision.ReachableResource}). Matching a destination to the
 * most specific resource, finding the caller's rules and evaluating their conditions are the
 * package-private steps behind them; the semantics are in the engine's package documentation.
 */
package dev.zerogate.policy.engine.decision;
