package dev.zerogate.policy.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import dev.zerogate.policy.Actor;
import dev.zerogate.policy.AuditRecord;
import dev.zerogate.policy.service.PolicyError;
import dev.zerogate.proto.ProtoTime;
import dev.zerogate.proto.policy.v1.ActorKind;
import dev.zerogate.proto.policy.v1.AuditActor;
import dev.zerogate.proto.policy.v1.AuditEvent;
import dev.zerogate.proto.policy.v1.AuditOutcome;
import dev.zerogate.proto.policy.v1.AuditTarget;

import java.util.Locale;
import java.util.Optional;

/** Audit events as the AuditService and the REST audit endpoints return them, and their outcome filter. */
public final class AuditMessages {

    private AuditMessages() {}

    public static AuditEvent toProto(AuditRecord event) {
        Struct.Builder details = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(event.details(), details);
        } catch (InvalidProtocolBufferException e) {
            details.clear();
        }
        Actor actor = event.actor();
        return AuditEvent.newBuilder()
                .setId(event.id())
                .setSequence(event.sequence())
                .setOccurredAt(ProtoTime.timestamp(event.occurredAt()))
                .setActor(AuditActor.newBuilder().setKind(toProto(actor.kind())).setId(actor.id()).setDisplayName(actor.displayName()))
                .setAction(event.action())
                .setTarget(AuditTarget.newBuilder().setType(event.target().type()).setId(event.target().id())
                        .setDisplayName(event.target().displayName()))
                .setOutcome(toProto(event.outcome()))
                .setReason(event.reason())
                .setRuleId(event.ruleId())
                .setDeviceId(actor.deviceId())
                .setSourceIp(actor.sourceIp())
                .setRequestId(actor.requestId())
                .setDetails(details)
                .build();
    }

    public static ActorKind toProto(Actor.Kind kind) {
        return switch (kind) {
            case USER -> ActorKind.ACTOR_KIND_USER;
            case SERVICE_ACCOUNT -> ActorKind.ACTOR_KIND_SERVICE_ACCOUNT;
            case CONNECTOR -> ActorKind.ACTOR_KIND_CONNECTOR;
            case RELAY -> ActorKind.ACTOR_KIND_RELAY;
            case SYSTEM -> ActorKind.ACTOR_KIND_SYSTEM;
        };
    }

    /** The domain's actor kind; an unset or unknown one is empty (the audit log never writes one). */
    public static Optional<Actor.Kind> actorKind(ActorKind kind) {
        return switch (kind) {
            case ACTOR_KIND_USER -> Optional.of(Actor.Kind.USER);
            case ACTOR_KIND_SERVICE_ACCOUNT -> Optional.of(Actor.Kind.SERVICE_ACCOUNT);
            case ACTOR_KIND_CONNECTOR -> Optional.of(Actor.Kind.CONNECTOR);
            case ACTOR_KIND_RELAY -> Optional.of(Actor.Kind.RELAY);
            case ACTOR_KIND_SYSTEM -> Optional.of(Actor.Kind.SYSTEM);
            case ACTOR_KIND_UNSPECIFIED, UNRECOGNIZED -> Optional.empty();
        };
    }

    public static AuditOutcome toProto(AuditRecord.Outcome outcome) {
        return switch (outcome) {
            case SUCCESS -> AuditOutcome.AUDIT_OUTCOME_SUCCESS;
            case FAILURE -> AuditOutcome.AUDIT_OUTCOME_FAILURE;
            case PERMIT -> AuditOutcome.AUDIT_OUTCOME_PERMIT;
            case DENY -> AuditOutcome.AUDIT_OUTCOME_DENY;
        };
    }

    /** The outcome a filter names: empty for any (unspecified); an unknown value is refused. */
    public static Optional<AuditRecord.Outcome> outcomeFilter(AuditOutcome outcome) {
        return switch (outcome) {
            case AUDIT_OUTCOME_UNSPECIFIED -> Optional.empty();
            case AUDIT_OUTCOME_SUCCESS -> Optional.of(AuditRecord.Outcome.SUCCESS);
            case AUDIT_OUTCOME_FAILURE -> Optional.of(AuditRecord.Outcome.FAILURE);
            case AUDIT_OUTCOME_PERMIT -> Optional.of(AuditRecord.Outcome.PERMIT);
            case AUDIT_OUTCOME_DENY -> Optional.of(AuditRecord.Outcome.DENY);
            case UNRECOGNIZED -> throw PolicyError.invalid("outcome", "is not a known outcome");
        };
    }

    /**
     * The outcome a REST query names: "PERMIT" or "permit", or the API's full name
     * "AUDIT_OUTCOME_PERMIT"; empty text or UNSPECIFIED for any.
     */
    public static Optional<AuditRecord.Outcome> outcomeFilter(String text) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String name = text.startsWith("AUDIT_OUTCOME_") ? text.substring("AUDIT_OUTCOME_".length()) : text.toUpperCase(Locale.ROOT);
        return switch (name) {
            case "UNSPECIFIED" -> Optional.empty();
            case "SUCCESS" -> Optional.of(AuditRecord.Outcome.SUCCESS);
            case "FAILURE" -> Optional.of(AuditRecord.Outcome.FAILURE);
            case "PERMIT" -> Optional.of(AuditRecord.Outcome.PERMIT);
            case "DENY" -> Optional.of(AuditRecord.Outcome.DENY);
            default -> throw PolicyError.invalid("outcome", "must be SUCCESS, FAILURE, PERMIT or DENY");
        };
    }
}
