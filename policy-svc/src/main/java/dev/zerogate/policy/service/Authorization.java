package dev.zerogate.policy.service;

import dev.zerogate.policy.Actor;
import dev.zerogate.policy.AuditRecord;
import dev.zerogate.policy.ResourceRecord;
import dev.zerogate.policy.config.PolicyConfig;
import dev.zerogate.policy.engine.conditions.OperatingSystem;
import dev.zerogate.policy.engine.decision.Decision;
import dev.zerogate.policy.engine.decision.DenyReason;
import dev.zerogate.policy.engine.decision.ReachableResource;
import dev.zerogate.policy.engine.model.AccessRule;
import dev.zerogate.policy.engine.model.Device;
import dev.zerogate.policy.engine.model.PostureFlag;
import dev.zerogate.policy.engine.model.Protocol;
import dev.zerogate.policy.engine.model.Resource;
import dev.zerogate.policy.engine.model.Subject;
import dev.zerogate.policy.grant.GrantIssuer;
import dev.zerogate.policy.grant.GrantIssuer.IssuedGrant;
import dev.zerogate.policy.grant.GrantRequest;
import dev.zerogate.policy.store.PolicyState;
import dev.zerogate.policy.store.PolicyStore;
import dev.zerogate.servicekit.token.PrincipalKind;
import dev.zerogate.servicekit.token.VerifiedAccessToken;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The decision point: Authorize and ListMyResources, for users and service accounts.
 *
 * <p>A decision runs on this replica's in-memory policy (no database round trip), is queued for
 * the audit log under its decision id (refused with UNAVAILABLE when the queue is full: no
 * decision goes unaudited), and on PERMIT carries a grant signed with policy-svc's own keys,
 * bound to the key the caller's token is bound to.
 *
 * <p>Device posture comes from identity-svc (the adapter asks {@code DeviceDirectory} before
 * deciding); a device identity-svc cannot tell about has unknown posture, which fails every
 * posture requirement (fail closed; the reason says so).
 */
@ApplicationScoped
public class Authorization {

    /**
     * A flow the caller wants to open.
     *
     * @param destination a host name or an IP address, as the caller wrote it
     * @param protocol the transport protocol; UNSPECIFIED is refused
     * @param port 1 to 65535 for TCP and UDP, 0 for ICMP; the API's unsigned number, so a huge one is out of range
     * @param deviceId the device the caller's token is bound to; empty for none
     */
    public record Request(String destination, Protocol protocol, long port, String deviceId) {}

    /**
     * The answer: only what the caller may be told (never a concealed match).
     *
     * @param decisionId the id of the decision and of its audit event
     * @param denyReason UNSPECIFIED on PERMIT
     * @param ruleId the rule the engine named, also when this answer denies what it permitted (a
     *     permit without a device key)
     * @param resource the resource the engine named, likewise
     * @param grant the signed grant of a PERMIT
     */
    public record Answer(boolean permit, String decisionId, String reason, DenyReason denyReason, Optional<String> ruleId,
                         Optional<Resource> resource, Optional<IssuedGrant> grant) {}

    /**
     * A resource the caller may reach, as ListMyResources shows it.
     *
     * @param resource the resource as stored
     * @param networkName its remote network's name; empty if the network is gone
     * @param reachable how the caller is given it and what keeps it from reaching it now
     */
    public record MyResource(ResourceRecord resource, String networkName, ReachableResource reachable) {}

    private final PolicyStore store;
    private final AuditLog audit;
    private final GrantIssuer grants;
    private final PolicyConfig config;
    private final Clock clock;
    private final Map<String, long[]> callsThisSecond = new ConcurrentHashMap<>();

    Authorization(PolicyStore store, AuditLog audit, GrantIssuer grants, PolicyConfig config, Clock clock) {
        this.store = store;
        this.audit = audit;
        this.grants = grants;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Decides {@code request} for {@code caller}.
     *
     * @param deviceFacts what identity-svc knows of the caller's device (see DeviceDirectory), if
     *     it names one; without them its posture counts as unknown
     */
    public Answer authorize(VerifiedAccessToken caller, Actor actor, Request request, Optional<Device> deviceFacts) {
        Subject subject = subject(caller, request.deviceId());
        throttle(caller.subject());
        Protocol protocol = request.protocol();
        if (protocol == Protocol.UNSPECIFIED) {
            throw PolicyError.invalid("protocol", "is required: PROTOCOL_TCP, PROTOCOL_UDP or PROTOCOL_ICMP");
        }
        Instant now = clock.instant();
        PolicyState state = store.current();
        // Unsigned on the wire: a value past an int is out of range, not negative.
        int port = request.port() > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) request.port();
        Optional<Device> device = subject.deviceId().isEmpty() ? Optional.empty() : deviceFacts.or(() -> device(subject));
        Decision decision = state.snapshot().decide(subject, device, request.destination(), port, protocol, now);
        if (decision.invalidRequest()) {
            throw new PolicyError(PolicyError.Kind.INVALID_ARGUMENT, "", decision.reason());
        }
        String decisionId = UUID.randomUUID().toString();
        Optional<IssuedGrant> grant = Optional.empty();
        DenyReason denyReason = decision.denyReason();
        String reason = decision.reason();
        boolean permit = decision.isPermit();
        if (permit) {
            if (caller.deviceKeyThumbprint().isEmpty()) {
                // A grant is bound to the key of the caller's end-to-end session; without one it is useless.
                permit = false;
                denyReason = DenyReason.DEVICE_REQUIRED;
                reason = decision.reason() + ", but your sign-in is not bound to a device key, and grants are: sign in with "
                        + "`zerogate login` on an enrolled device";
            } else {
                var resource = decision.resource().orElseThrow();
                grant = Optional.of(grants.issue(new GrantRequest(decisionId, caller.subject(), caller.sessionId(), resource.networkId(),
                        resource.id(), decision.rule().orElseThrow().id(), request.destination(),
                        protocol.name().toLowerCase(Locale.ROOT), protocol == Protocol.ICMP ? 0 : port, caller.deviceId(),
                        caller.deviceKeyThumbprint().get(), now, decision.notAfter())));
            }
        }
        if (!audit.offerDecision(auditEvent(actor, decisionId, decision, permit, denyReason, reason, request, port))) {
            throw new PolicyError(PolicyError.Kind.UNAVAILABLE, "", "decisions cannot be audited right now (queue full): retry shortly");
        }
        return new Answer(permit, decisionId, reason, permit ? DenyReason.UNSPECIFIED : denyReason,
                decision.rule().map(AccessRule::id), decision.resource(), grant);
    }

    private AuditRecord auditEvent(Actor actor, String decisionId, Decision decision, boolean permit, DenyReason denyReason,
                                   String reason, Request request, int port) {
        JsonObject details = new JsonObject()
                .put("destination", request.destination())
                .put("protocol", apiName(request.protocol()))
                // A number in the details is a JSON number as protobuf's Struct keeps it: a double.
                .put("port", (double) port)
                .put("deny_reason", permit ? "" : apiName(denyReason));
        decision.concealed().ifPresent(concealed -> details.put("concealed", concealed.reason()));
        // The audit log may name what the caller was not told: the resource behind a concealed match.
        AuditRecord.Target target = decision.resource().or(() -> decision.concealed().map(Decision.Concealed::resource))
                .map(resource -> new AuditRecord.Target("resource", resource.id(), resource.name()))
                .orElse(AuditRecord.NO_TARGET);
        return audit.event(decisionId, actor, "policy.authorize", permit ? AuditRecord.Outcome.PERMIT : AuditRecord.Outcome.DENY,
                target, reason, decision.rule().map(AccessRule::id).orElse(""), details.encode());
    }

    /** The protocol as the contract names it, for the audit log's details. */
    static String apiName(Protocol protocol) {
        return switch (protocol) {
            case TCP -> "PROTOCOL_TCP";
            case UDP -> "PROTOCOL_UDP";
            case ICMP -> "PROTOCOL_ICMP";
            case UNSPECIFIED -> "PROTOCOL_UNSPECIFIED";
        };
    }

    /** The deny reason as the contract names it, for the audit log's details. */
    static String apiName(DenyReason reason) {
        return switch (reason) {
            case UNSPECIFIED -> "DENY_REASON_UNSPECIFIED";
            case NO_MATCHING_RESOURCE -> "DENY_REASON_NO_MATCHING_RESOURCE";
            case PORT_NOT_ALLOWED -> "DENY_REASON_PORT_NOT_ALLOWED";
            case NO_MATCHING_RULE -> "DENY_REASON_NO_MATCHING_RULE";
            case MFA_REQUIRED -> "DENY_REASON_MFA_REQUIRED";
            case AUTH_TOO_OLD -> "DENY_REASON_AUTH_TOO_OLD";
            case DEVICE_REQUIRED -> "DENY_REASON_DEVICE_REQUIRED";
            case DEVICE_POSTURE -> "DENY_REASON_DEVICE_POSTURE";
            case OUTSIDE_TIME_WINDOW -> "DENY_REASON_OUTSIDE_TIME_WINDOW";
            case RULE_EXPIRED -> "DENY_REASON_RULE_EXPIRED";
        };
    }

    /** Resources the caller may reach, with why, one page ordered by the name to use. */
    public Page<MyResource> listMyResources(VerifiedAccessToken caller, String deviceId, int pageSize, String pageToken,
                                            Optional<Device> deviceFacts) {
        Subject subject = subject(caller, deviceId);
        PolicyState state = store.current();
        Optional<Device> device = subject.deviceId().isEmpty() ? Optional.empty() : deviceFacts.or(() -> device(subject));
        List<ReachableResource> reachable = state.snapshot().listMyResources(subject, device, clock.instant());
        List<MyResource> mine = reachable.stream().map(item -> {
            var network = state.networks().get(item.resource().networkId());
            return new MyResource(state.resources().get(item.resource().id()).record(), network == null ? "" : network.name(), item);
        }).toList();
        return Paging.page(mine, r -> r.reachable().connectName() + "\u0000" + r.resource().id(), pageSize, pageToken,
                "mine|" + caller.subject() + "|" + deviceId);
    }

    /** The caller as the engine sees it, after checking the device it names is the token's. */
    private static Subject subject(VerifiedAccessToken caller, String requestedDevice) {
        if (caller.kind() != PrincipalKind.USER && caller.kind() != PrincipalKind.SERVICE_ACCOUNT) {
            throw new PolicyError(PolicyError.Kind.PERMISSION_DENIED, "", "decisions are for users and service accounts, not a "
                    + caller.kind().claimValue());
        }
        Optional<String> bound = caller.deviceId();
        if (bound.isPresent() && requestedDevice.isEmpty()) {
            throw PolicyError.invalid("device_id", "is required: your access token is bound to device " + bound.get());
        }
        if (!requestedDevice.isEmpty() && !bound.map(requestedDevice::equals).orElse(false)) {
            throw new PolicyError(PolicyError.Kind.PERMISSION_DENIED, "device_id", bound.isPresent()
                    ? "device_id is not the device your access token is bound to"
                    : "device_id names a device, but your access token is not bound to one: sign in on that device");
        }
        return caller.kind() == PrincipalKind.USER
                ? Subject.user(caller.subject(), caller.groups(), Set.copyOf(caller.authenticationMethods()),
                        caller.authenticatedAt(), bound.orElse(null))
                : Subject.serviceAccount(caller.subject(), caller.authenticatedAt(), bound.orElse(null));
    }

    /** The caller's device when nothing more is known of it: its id, posture unknown. */
    private static Optional<Device> device(Subject subject) {
        return subject.deviceId().map(id -> new Device(id, OperatingSystem.UNSPECIFIED, Optional.empty(), PostureFlag.UNKNOWN,
                PostureFlag.UNKNOWN, Optional.empty(), false));
    }

    /** A fixed one-second window per caller: cheap, and enough to stop a client stuck in a loop. */
    private void throttle(String subject) {
        long second = clock.millis() / 1000;
        long[] window = callsThisSecond.compute(subject, (key, current) ->
                current == null || current[0] != second ? new long[] {second, 1} : new long[] {second, current[1] + 1});
        if (window[1] > config.decisions().perCallerPerSecond()) {
            throw new PolicyError(PolicyError.Kind.RESOURCE_EXHAUSTED, "", "more than " + config.decisions().perCallerPerSecond()
                    + " decisions per second for you: back off and reuse grants (they are valid for several flows)");
        }
        if (callsThisSecond.size() > 100_000) {
            callsThisSecond.entrySet().removeIf(entry -> entry.getValue()[0] != second);
        }
    }
}
