package dev.zerogate.connector.policy;

import dev.zerogate.connector.policy.RevokedSubject.Kind;
import dev.zerogate.connector.policy.FlowVerdict.Reason;
import dev.zerogate.policy.engine.conditions.TimeWindow;
import dev.zerogate.policy.engine.model.AccessRule;
import dev.zerogate.policy.engine.model.Protocol;
import dev.zerogate.policy.engine.model.Resource;
import dev.zerogate.policy.engine.model.RuleSubject;
import dev.zerogate.servicekit.grant.VerifiedGrant;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The connector's double check of a flow: the access grant was verified (signature, expiry, key
 * binding, destination, protocol, port: {@code AccessGrantVerifier}); this checks it again against
 * the connector's own copy of the policy, when the flow opens and whenever the copy changes, so
 * that a flow the policy no longer allows is closed although its grant is still valid.
 *
 * <p>In order (the first failure decides):
 * <ol>
 *   <li>the grant is for this connector's remote network (else GRANT_MISMATCH); a copy exists
 *       (a snapshot was applied) and this connector is not revoked;
 *   <li>nothing the grant names is revoked: its {@code sub} as a user or a service account, its
 *       session {@code sid}, its device {@code zg_dev}. Whatever the grant's {@code iat}: the
 *       stream says every live flow of a revoked subject is closed, and identity-svc and
 *       policy-svc refuse every token of one, so a grant issued after {@code revoked_at} can
 *       only come from the second or so before policy-svc learnt of it;
 *   <li>the resource {@code zg_res} is in the copy, in this network (else RESOURCE_UNKNOWN);
 *   <li>the destination still belongs to that resource: its most specific match, as policy-svc
 *       matches (so a host carved out of a wildcard or subnet since is refused); the port and
 *       protocol are allowed by the resource's port rules;
 *   <li>the rule {@code zg_rule} exists, is enabled, has not expired, is inside one of its time
 *       windows (if it has any; a window is taken to open {@code clockSkew} early, as the grant
 *       was issued by another clock), and still lists the resource;
 *   <li>its subject still includes the grant's {@code sub}: the service account it names; for a
 *       LOCAL group, membership from the stream. An IDP_SYNC group's membership is the
 *       {@code groups} claim of the caller's access token, which only policy-svc saw: the
 *       connector cannot check it and trusts the grant (a user removed upstream loses access with
 *       the grant's expiry, at most 5 minutes, not at once). A group of unknown source counts as
 *       LOCAL.
 * </ol>
 * Everything but GRANT_MISMATCH and RESOURCE_UNKNOWN is POLICY_DENIED. Messages name the rule and
 * resource the grant was for (the caller was given them), never the grant itself, and nothing
 * about resources the caller was not given. Thread-safe; never throws for a verified grant.
 */
public final class FlowPolicy {

    private final String networkId;
    private final String connectorId;
    private final PolicyMirror mirror;
    private final Clock clock;
    private final Duration clockSkew;

    /**
     * @param networkId   this connector's remote network (UUID)
     * @param connectorId this connector (UUID): a revocation of it refuses every flow
     * @param clockSkew   how much earlier than its start a rule's time window is taken to open
     */
    public FlowPolicy(String networkId, String connectorId, PolicyMirror mirror, Clock clock, Duration clockSkew) {
        this.networkId = Objects.requireNonNull(networkId, "networkId");
        this.connectorId = Objects.requireNonNull(connectorId, "connectorId");
        this.mirror = Objects.requireNonNull(mirror, "mirror");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (clockSkew.isNegative()) {
            throw new IllegalArgumentException("clock skew must not be negative");
        }
        this.clockSkew = clockSkew;
    }

    /** Checks against the view in force now. */
    public FlowVerdict check(VerifiedGrant grant, String destination, int port, Protocol protocol) {
        return check(mirror.view(), grant, destination, port, protocol);
    }

    /**
     * Checks against {@code view}: the one a {@link PolicyMirror} listener was handed, so that
     * every open flow is judged by the same copy.
     *
     * @param destination the host name or IP address the flow goes to, as the client requested it
     * @param port        1 to 65535 for TCP and UDP, 0 for ICMP
     */
    public FlowVerdict check(PolicyView view, VerifiedGrant grant, String destination, int port, Protocol protocol) {
        Instant now = clock.instant();
        if (!networkId.equals(grant.networkId())) {
            return FlowVerdict.refuse(Reason.GRANT_MISMATCH, "the grant is for another remote network than this connector's");
        }
        if (!view.synced()) {
            return FlowVerdict.refuse(Reason.POLICY_DENIED, "this connector has not received the policy yet: try again in a moment");
        }
        if (view.revocation(Kind.CONNECTOR, connectorId).isPresent()) {
            return FlowVerdict.refuse(Reason.POLICY_DENIED, "this connector was revoked");
        }
        Optional<String> revoked = revocation(view, grant);
        if (revoked.isPresent()) {
            return FlowVerdict.refuse(Reason.POLICY_DENIED, revoked.get());
        }

        Resource resource = view.resource(grant.resourceId()).filter(r -> r.networkId().equals(networkId)).orElse(null);
        if (resource == null) {
            return FlowVerdict.refuse(Reason.RESOURCE_UNKNOWN, "the resource this access was granted for no longer exists in this network");
        }
        // Whether nothing matches or another resource does (a carve-out), the message is the same:
        // it says nothing about resources the caller was not given.
        if (!view.mostSpecificResource(destination).map(Resource::id).filter(resource.id()::equals).isPresent()) {
            return FlowVerdict.refuse(Reason.POLICY_DENIED, "'" + printable(destination) + "' is no longer part of resource "
                    + resource.describe());
        }
        if (!resource.allows(protocol, port)) {
            return FlowVerdict.refuse(Reason.POLICY_DENIED, "resource " + resource.describe() + " no longer allows "
                    + describe(protocol, port));
        }

        AccessRule rule = view.rule(grant.ruleId()).orElse(null);
        if (rule == null) {
            return FlowVerdict.refuse(Reason.POLICY_DENIED, "the rule that granted this access was deleted or no longer covers this network");
        }
        if (rule.disabled()) {
            return FlowVerdict.refuse(Reason.POLICY_DENIED, rule.describe() + " is disabled");
        }
        if (rule.isExpiredAt(now)) {
            return FlowVerdict.refuse(Reason.POLICY_DENIED, rule.describe() + " has expired");
        }
        if (!rule.resourceIds().contains(resource.id())) {
            return FlowVerdict.refuse(Reason.POLICY_DENIED, rule.describe() + " no longer gives access to resource " + resource.describe());
        }
        Optional<Instant> windowEnd = Optional.empty();
        List<TimeWindow> windows = rule.conditions().timeWindows();
        if (!windows.isEmpty()) {
            windowEnd = windowEnd(windows, now);
            if (windowEnd.isEmpty()) {
                return FlowVerdict.refuse(Reason.POLICY_DENIED, rule.describe() + " does not apply at this time (outside its time windows)");
            }
        }
        Optional<String> notIncluded = subjectProblem(view, rule, grant);
        if (notIncluded.isPresent()) {
            return FlowVerdict.refuse(Reason.POLICY_DENIED, notIncluded.get());
        }
        return FlowVerdict.allow(earliest(rule.conditions().expiresAt(), windowEnd));
    }

    private static Optional<String> revocation(PolicyView view, VerifiedGrant grant) {
        // The grant does not say whether sub is a user or a service account; ids are UUIDs, both are checked.
        if (view.revocation(Kind.USER, grant.subject()).isPresent()) {
            return Optional.of("your account was revoked");
        }
        if (view.revocation(Kind.SERVICE_ACCOUNT, grant.subject()).isPresent()) {
            return Optional.of("this service account was revoked");
        }
        if (view.revocation(Kind.SESSION, grant.sessionId()).isPresent()) {
            return Optional.of("your session was revoked: sign in again");
        }
        if (grant.deviceId().flatMap(device -> view.revocation(Kind.DEVICE, device)).isPresent()) {
            return Optional.of("your device was revoked");
        }
        return Optional.empty();
    }

    private static Optional<String> subjectProblem(PolicyView view, AccessRule rule, VerifiedGrant grant) {
        RuleSubject subject = rule.subject();
        if (subject.kind() == RuleSubject.Kind.SERVICE_ACCOUNT) {
            return subject.id().equals(grant.subject()) ? Optional.empty()
                    : Optional.of(rule.describe() + " is now for another service account");
        }
        Optional<GroupMembers> group = view.group(subject.id());
        if (group.isEmpty()) {
            return Optional.of(rule.describe() + " no longer includes you (its group was deleted)");
        }
        if (group.get().membershipIsInTokens() || group.get().lists(grant.subject())) {
            return Optional.empty();
        }
        return Optional.of(rule.describe() + " no longer includes you");
    }

    /** The end of the window occurrence that contains now (or starts within the clock skew); empty when none does. */
    private Optional<Instant> windowEnd(List<TimeWindow> windows, Instant now) {
        Optional<Instant> end = Optional.empty();
        for (TimeWindow window : windows) {
            Instant inside = window.contains(now) ? now : window.contains(now.plus(clockSkew)) ? now.plus(clockSkew) : null;
            if (inside != null) {
                Instant candidate = window.endOfOccurrence(inside);
                // Overlapping windows: the flow may stay until the last of them ends.
                end = end.isEmpty() || candidate.isAfter(end.get()) ? Optional.of(candidate) : end;
            }
        }
        return end;
    }

    private static Optional<Instant> earliest(Optional<Instant> a, Optional<Instant> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        return Optional.of(a.get().isBefore(b.get()) ? a.get() : b.get());
    }

    private static String describe(Protocol protocol, int port) {
        return protocol == Protocol.ICMP ? "ICMP" : protocol + " port " + port;
    }

    /** The destination comes from the client: short and plain in messages. */
    private static String printable(String destination) {
        if (destination == null) {
            return "";
        }
        String s = destination.length() > 253 ? destination.substring(0, 253) : destination;
        return s.chars().allMatch(c -> c > 0x20 && c < 0x7f) ? s : "(unprintable)";
    }
}
