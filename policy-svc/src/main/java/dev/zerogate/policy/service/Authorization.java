package dev.zerogate.policy.service;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.zerogate.policy.config.PolicyConfig;
import dev.zerogate.policy.engine.Decision;
import dev.zerogate.policy.engine.Device;
import dev.zerogate.policy.engine.OperatingSystem;
import dev.zerogate.policy.engine.PostureFlag;
import dev.zerogate.policy.engine.Protocol;
import dev.zerogate.policy.engine.ReachableResource;
import dev.zerogate.policy.engine.Subject;
import dev.zerogate.policy.grant.GrantIssuer;
import dev.zerogate.policy.grant.GrantRequest;
import dev.zerogate.policy.store.PolicyState;
import dev.zerogate.policy.store.PolicyStore;
import dev.zerogate.proto.policy.v1.AccessGrant;
import dev.zerogate.proto.policy.v1.AllowingRule;
import dev.zerogate.proto.policy.v1.AuditEvent;
import dev.zerogate.proto.policy.v1.AuditOutcome;
import dev.zerogate.proto.policy.v1.AuthorizeRequest;
import dev.zerogate.proto.policy.v1.AuthorizeResponse;
import dev.zerogate.proto.policy.v1.DenyReason;
import dev.zerogate.proto.policy.v1.ListMyResourcesRequest;
import dev.zerogate.servicekit.token.PrincipalKind;
import dev.zerogate.servicekit.token.VerifiedAccessToken;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
 * <p>Device posture: identity-svc has no rpc yet that lets policy-svc read a device's posture
 * report, so a device is known by its id only and every posture requirement fails as unknown
 * (fail closed; the reason says so).
 */
@ApplicationScoped
public class Authorization {

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

    public AuthorizeResponse authorize(VerifiedAccessToken caller, Actor actor, AuthorizeRequest request) {
        Subject subject = subject(caller, request.getDeviceId());
        throttle(caller.subject());
        Protocol protocol = switch (request.getProtocol()) {
            case PROTOCOL_TCP -> Protocol.TCP;
            case PROTOCOL_UDP -> Protocol.UDP;
            case PROTOCOL_ICMP -> Protocol.ICMP;
            default -> throw PolicyError.invalid("protocol", "is required: PROTOCOL_TCP, PROTOCOL_UDP or PROTOCOL_ICMP");
        };
        Instant now = clock.instant();
        PolicyState state = store.current();
        // uint32 on the wire: a huge value arrives negative; keep it out of range rather than wrap.
        int port = request.getPort() < 0 ? Integer.MAX_VALUE : request.getPort();
        Decision decision = state.snapshot().decide(subject, device(subject), request.getDestination(), port, protocol, now);
        if (decision.invalidRequest()) {
            throw new PolicyError(PolicyError.Kind.INVALID_ARGUMENT, "", decision.reason());
        }
        String decisionId = UUID.randomUUID().toString();
        Optional<AccessGrant> grant = Optional.empty();
        DenyReason denyReason = DenyReason.valueOf("DENY_REASON_" + decision.denyReason().name());
        String reason = decision.reason();
        boolean permit = decision.isPermit();
        if (permit) {
            if (caller.deviceKeyThumbprint().isEmpty()) {
                // A grant is bound to the key of the caller's end-to-end session; without one it is useless.
                permit = false;
                denyReason = DenyReason.DENY_REASON_DEVICE_REQUIRED;
                reason = decision.reason() + ", but your sign-in is not bound to a device key, and grants are: sign in with "
                        + "`zerogate login` on an enrolled device";
            } else {
                var resource = decision.resource().orElseThrow();
                grant = Optional.of(grants.issue(new GrantRequest(decisionId, caller.subject(), caller.sessionId(), resource.networkId(),
                        resource.id(), decision.rule().orElseThrow().id(), request.getDestination(),
                        protocol.name().toLowerCase(Locale.ROOT), protocol == Protocol.ICMP ? 0 : port, caller.deviceId(),
                        caller.deviceKeyThumbprint().get(), now, decision.notAfter())));
            }
        }
        if (!audit.offerDecision(auditEvent(actor, decisionId, decision, permit, denyReason, reason, request))) {
            throw new PolicyError(PolicyError.Kind.UNAVAILABLE, "", "decisions cannot be audited right now (queue full): retry shortly");
        }
        AuthorizeResponse.Builder response = AuthorizeResponse.newBuilder()
                .setDecision(permit ? dev.zerogate.proto.policy.v1.Decision.DECISION_PERMIT : dev.zerogate.proto.policy.v1.Decision.DECISION_DENY)
                .setDecisionId(decisionId)
                .setReason(reason)
                .setDenyReason(permit ? DenyReason.DENY_REASON_UNSPECIFIED : denyReason);
        decision.rule().ifPresent(rule -> response.setMatchedRuleId(rule.id()));
        decision.resource().ifPresent(resource -> response.setResourceId(resource.id()).setRemoteNetworkId(resource.networkId()));
        grant.ifPresent(response::setGrant);
        return response.build();
    }

    private AuditEvent auditEvent(Actor actor, String decisionId, Decision decision, boolean permit, DenyReason denyReason,
                                  String reason, AuthorizeRequest request) {
        Struct.Builder details = Struct.newBuilder()
                .putFields("destination", Value.newBuilder().setStringValue(request.getDestination()).build())
                .putFields("protocol", Value.newBuilder().setStringValue(request.getProtocol().name()).build())
                .putFields("port", Value.newBuilder().setNumberValue(request.getPort()).build())
                .putFields("deny_reason", Value.newBuilder().setStringValue(permit ? "" : denyReason.name()).build());
        AuditEvent.Builder event = audit.event(actor, "policy.authorize",
                permit ? AuditOutcome.AUDIT_OUTCOME_PERMIT : AuditOutcome.AUDIT_OUTCOME_DENY).setId(decisionId).setReason(reason);
        // The audit log may name what the caller was not told: the resource behind a concealed match.
        decision.resource().or(() -> decision.concealed().map(Decision.Concealed::resource)).ifPresent(resource ->
                event.setTarget(AuditLog.target("resource", resource.id(), resource.name())));
        decision.concealed().ifPresent(concealed -> details.putFields("concealed",
                Value.newBuilder().setStringValue(concealed.reason()).build()));
        decision.rule().ifPresent(rule -> event.setRuleId(rule.id()));
        return event.setDetails(details).build();
    }

    /** Resources the caller may reach, with why, one page ordered by the name to use. */
    public Page<dev.zerogate.proto.policy.v1.ReachableResource> listMyResources(VerifiedAccessToken caller, ListMyResourcesRequest request) {
        Subject subject = subject(caller, request.getDeviceId());
        PolicyState state = store.current();
        List<ReachableResource> reachable = state.snapshot().listMyResources(subject, device(subject), clock.instant());
        List<dev.zerogate.proto.policy.v1.ReachableResource> protos = reachable.stream().map(item -> {
            var stored = state.resources().get(item.resource().id());
            var network = state.networks().get(item.resource().networkId());
            var builder = dev.zerogate.proto.policy.v1.ReachableResource.newBuilder()
                    .setResource(stored.proto())
                    .setRemoteNetworkName(network == null ? "" : network.getName())
                    .setConnectName(item.connectName())
                    .addAllUnmetConditions(item.unmetConditions());
            for (var rule : item.allowedBy()) {
                builder.addAllowedBy(AllowingRule.newBuilder().setRuleId(rule.ruleId()).setRuleName(rule.ruleName())
                        .setViaGroupId(rule.viaGroupId().orElse("")).setViaGroupName(rule.viaGroupName().orElse("")));
            }
            return builder.build();
        }).toList();
        return Paging.page(protos, r -> r.getConnectName() + "\u0000" + r.getResource().getId(), request.getPageSize(),
                request.getPageToken(), "mine|" + caller.subject() + "|" + request.getDeviceId());
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
                ? Subject.user(caller.subject(), caller.groups(), java.util.Set.copyOf(caller.authenticationMethods()),
                        caller.authenticatedAt(), bound.orElse(null))
                : Subject.serviceAccount(caller.subject(), caller.authenticatedAt(), bound.orElse(null));
    }

    /** The caller's device as far as policy-svc knows it: its id; posture unknown (see the class comment). */
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
