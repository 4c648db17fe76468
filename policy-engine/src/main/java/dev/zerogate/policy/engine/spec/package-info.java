/**
 * The policy as an admin wrote it, before the engine judges it: every field as given (names not
 * yet trimmed, addresses not yet normalised, unknown enum values as UNSPECIFIED), so that a
 * service can store and return exactly what was written and keep an entity that a later, stricter
 * build refuses. {@link dev.zerogate.policy.engine.spec.Specs} turns a spec into the model's values
 * (the one place that does, for policy-svc's admin API and, through the proto adapter, for both
 * services' copies of the policy), naming each refused field by its path in the API message.
 */
package dev.zerogate.policy.engine.spec;
