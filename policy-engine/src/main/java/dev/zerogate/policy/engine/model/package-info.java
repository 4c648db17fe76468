/**
 * The policy's entities (resources with their port policies, groups, access rules and their
 * subjects, the whole policy as {@link dev.zerogate.policy.engine.model.PolicyContents}) and the
 * caller a decision is for ({@link dev.zerogate.policy.engine.model.Subject} and its
 * {@link dev.zerogate.policy.engine.model.Device}). Each constructor refuses a malformed value with
 * an {@link dev.zerogate.policy.engine.InvalidPolicyException} naming the field.
 */
package dev.zerogate.policy.engine.model;
