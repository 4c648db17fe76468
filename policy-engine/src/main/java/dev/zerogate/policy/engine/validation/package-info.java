/**
 * Problems between entities that no single constructor can see (duplicate addresses and names,
 * colliding aliases, missing references, rules that can never match), reported with the field
 * and what to do, for admins changing the policy.
 */
package dev.zerogate.policy.engine.validation;
