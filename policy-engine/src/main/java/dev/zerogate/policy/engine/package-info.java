/**
 * The policy decision engine: a pure, in-process library (no Quarkus, no database, no I/O, no
 * clock of its own: time is an argument). The gRPC adapter maps proto messages to these types and
 * back; proto types never enter here.
 *
 * <h2>Packages, by job</h2>
 * Each depends only on those above it in this list, never the other way round:
 * <ul>
 *   <li>this package: {@link dev.zerogate.policy.engine.InvalidPolicyException} and
 *       {@link dev.zerogate.policy.engine.HumanText}, which every other package uses;
 *   <li>{@code address}: resource addresses and destinations as written (names, wildcards, IP
 *       addresses, CIDRs), parsed and normalised;
 *   <li>{@code conditions}: what a rule can require (MFA, authentication age, device posture, time
 *       windows, expiry) and the version numbers posture compares;
 *   <li>{@code model}: the policy's entities (resources with their ports, groups, access rules)
 *       and the caller (subject and device);
 *   <li>{@code validation}: problems between entities, for admins changing the policy;
 *   <li>{@code decision}: the indexed snapshot, the matching of a destination to a resource, the
 *       evaluation of conditions, and the answers (decisions, deny reasons, reachable resources);
 *   <li>{@code proto}: the one adapter between {@code zerogate.policy.v1} messages and these types.
 * </ul>
 *
 * <h2>Model</h2>
 * {@link dev.zerogate.policy.engine.model.Resource}s (with a {@link dev.zerogate.policy.engine.address.ResourceAddress}:
 * FQDN, wildcard, IP address or CIDR, always normalised; an optional alias; TCP/UDP
 * {@link dev.zerogate.policy.engine.model.PortPolicy}; an ICMP flag), {@link dev.zerogate.policy.engine.model.Group}s
 * (LOCAL members, or IDP_SYNC: a user is a member while the token's {@code groups} claim contains
 * the IdP group name) and {@link dev.zerogate.policy.engine.model.AccessRule}s with
 * {@link dev.zerogate.policy.engine.conditions.AccessConditions}. Constructors refuse malformed values with an
 * {@link dev.zerogate.policy.engine.InvalidPolicyException} naming the field;
 * {@link dev.zerogate.policy.engine.validation.PolicyValidator} finds problems between entities.
 * {@link dev.zerogate.policy.engine.decision.PolicySnapshot} is the immutable, indexed policy that decides.
 *
 * <h2>Validation</h2>
 * Constructors and parsers refuse a malformed address (name and label rules, IPv4 without leading
 * zeros, IPv6 without zone index, CIDR prefix /8-/32 and /32-/128; host bits are cleared, as the
 * proto stores CIDRs normalised), a port outside 1-65535, an inverted range, an empty port list,
 * a malformed time window or zone, out-of-range condition values. The validator then reports, each
 * with the field and what to do: a duplicate address (in any spelling), an alias equal to another
 * resource's address or alias, an alias on a wildcard or CIDR, duplicate names, a rule for an
 * unknown group or listing an unknown resource, and a rule that can never match (every listed
 * resource missing, or every existing one closed on TCP, UDP and ICMP; already expired; a service
 * account rule requiring MFA; a time window whose end equals its start, which the proto reads as
 * 24 hours but people write meaning nothing).
 *
 * <h2>Which resource a destination matches (most specific wins)</h2>
 * <ol>
 *   <li>A host name: an exact FQDN address or alias (names compare case-insensitively, a
 *       trailing dot is ignored); else the wildcard with the longest suffix. A wildcard
 *       {@code *.lab.home} matches names at any depth below {@code lab.home} but not
 *       {@code lab.home} itself.
 *   <li>An IP address: the exact address (every textual form of it; IPv4-mapped IPv6 counts as
 *       the IPv4 address); else the CIDR with the longest prefix.
 *   <li>A host name never matches an IP or CIDR resource, and an IP address never matches a
 *       name: the engine does not resolve names; the connector resolves them inside the private
 *       network after the decision. To reach 192.168.1.10 by a name, give it an alias or an FQDN
 *       resource.
 * </ol>
 * Only the most specific resource is considered: if the caller has no rule for it, a less
 * specific resource that the caller could reach (a wildcard over it, a wider CIDR) does not
 * apply. This lets an admin carve a host out of a wildcard or a subnet. The NO_MATCHING_RESOURCE
 * reason for a host name says that names are matched as written and never resolved.
 *
 * <h2>Which rule decides</h2>
 * The rules that list the matched resource and whose subject is the caller (a member of the
 * rule's group, or the rule's service account). After the resource's port rule for the protocol
 * allows the port, the caller's <em>active</em> rules (not disabled, not expired) are tried in
 * evaluation order (created_at, then id); the first whose conditions all hold permits. Which
 * rule permits therefore never depends on the order of conditions or on chance.
 *
 * <h2>Condition edges</h2>
 * <ul>
 *   <li>MFA: the token's {@code amr} contains "mfa", "otp", "hwk" or "swk" (as the proto lists).
 *       A service account never has MFA.
 *   <li>Maximum authentication age: now minus {@code auth_time}; an age exactly at the limit
 *       passes; a token without {@code auth_time} fails, and so does one whose {@code auth_time}
 *       lies more than 5 minutes (the tolerated clock skew) after now, since a sign-in time in
 *       the future would satisfy every age limit until then.
 *   <li>Expiry: the rule grants nothing from {@code expires_at} on: exactly at it, it has expired.
 *   <li>Time windows: wall-clock time in the window's IANA zone (daylight saving followed); start
 *       inclusive, end exclusive, minute precision; days are the days the window starts on; an
 *       end not after the start runs past midnight into the next day. A permit's grant limit
 *       ({@link dev.zerogate.policy.engine.decision.Decision#notAfter()}) is the first instant the window
 *       stops containing: at the jump when its end falls in a skipped (spring-forward) hour, at
 *       the fall-back when the clock is set back before its start.
 *   <li>Device posture: every set requirement must hold; an attribute the device did not report
 *       fails. Any requirement needs a device bound to the caller's token, else DEVICE_REQUIRED.
 *       OS versions compare numerically per component (10.0.22631 is after 10.0.9999); client
 *       versions by Semantic Versioning.
 * </ul>
 *
 * <h2>When every rule fails</h2>
 * The caller hears about the rule it is closest to satisfying: the rule whose hardest unmet
 * condition is the most actionable, in this order (most actionable first): AUTH_TOO_OLD,
 * MFA_REQUIRED (both fixed by signing in again), DEVICE_REQUIRED, DEVICE_POSTURE,
 * OUTSIDE_TIME_WINDOW; then fewest unmet conditions; then evaluation order. The deny reason is
 * that rule's hardest unmet condition, so a client never prompts for a sign-in that cannot help;
 * the human reason lists all of that rule's unmet conditions and what to do. With no active rule:
 * RULE_EXPIRED (naming the rule that expired last) if any of the caller's rules expired, else
 * NO_MATCHING_RULE (the caller's rules for it are all disabled).
 *
 * <h2>What a deny reveals</h2>
 * Nothing about resources the caller cannot see. If the destination matches a resource but no
 * rule at all (active, expired or disabled) lists it for the caller, the answer is exactly the
 * NO_MATCHING_RESOURCE answer for a destination that matches nothing: same reason text (it
 * depends only on the destination), no resource, no rule, no port information. The hidden match
 * is kept in {@link dev.zerogate.policy.engine.decision.Decision#concealed()} for the audit log only. Once a
 * rule lists the resource for the caller, denies name the resource, its allowed ports and the
 * failing rule, because that caller was given the resource and needs to know what to fix. That
 * is why the port check comes after the caller's rules are found, although the proto's Authorize
 * comment lists it first: checked first, a wrong port would reveal a hidden resource.
 * What remains visible: a carve-out. A caller who reaches every name under {@code *.lab.home}
 * and is refused {@code vault.lab.home} can infer that vault is a separate resource; it learns
 * neither its ports nor its rules.
 *
 * <h2>Fail closed</h2>
 * {@code decide} never throws. A malformed destination, a port out of range, an unspecified
 * protocol or caller kind is a DENY with {@code invalidRequest} set (the adapter answers
 * INVALID_ARGUMENT). Rules naming an unknown group match nobody. Unknown enum values map to
 * UNSPECIFIED, which never satisfies anything.
 */
package dev.zerogate.policy.engine;
