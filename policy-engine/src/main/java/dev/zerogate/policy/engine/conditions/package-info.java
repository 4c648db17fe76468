/**
 * What an access rule can require beyond a valid token: MFA, a maximum authentication age,
 * device posture (operating systems with minimum versions, disk encryption, screen lock, client
 * version, trust), time windows in an IANA zone, and an expiry. Values only: they are checked
 * against a caller by the decision package's {@code ConditionEvaluator}.
 */
package dev.zerogate.policy.engine.conditions;
