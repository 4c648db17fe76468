package dev.zerogate.policy.api;

import dev.zerogate.policy.Actor;
import dev.zerogate.policy.AuditRecord;
import dev.zerogate.policy.service.PolicyError;
import dev.zerogate.proto.policy.v1.ActorKind;
import dev.zerogate.proto.policy.v1.AuditOutcome;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every actor kind and outcome maps both ways, so a value added on one side only fails here. */
class AuditMessagesTest {

    @Test
    void everyActorKindMapsBothWays() {
        for (Actor.Kind kind : Actor.Kind.values()) {
            assertEquals(Optional.of(kind), AuditMessages.actorKind(AuditMessages.toProto(kind)), kind.name());
        }
        for (ActorKind kind : ActorKind.values()) {
            if (kind != ActorKind.UNRECOGNIZED && kind != ActorKind.ACTOR_KIND_UNSPECIFIED) {
                assertEquals(kind, AuditMessages.toProto(AuditMessages.actorKind(kind).orElseThrow()), kind.name());
            }
        }
    }

    @Test
    void everyOutcomeMapsBothWaysAndUnspecifiedMeansAny() {
        for (AuditRecord.Outcome outcome : AuditRecord.Outcome.values()) {
            assertEquals(Optional.of(outcome), AuditMessages.outcomeFilter(AuditMessages.toProto(outcome)), outcome.name());
            assertEquals(Optional.of(outcome), AuditMessages.outcomeFilter(outcome.name().toLowerCase()), outcome.name());
            assertEquals(Optional.of(outcome), AuditMessages.outcomeFilter(AuditMessages.toProto(outcome).name()), outcome.name());
        }
        for (AuditOutcome outcome : AuditOutcome.values()) {
            if (outcome != AuditOutcome.UNRECOGNIZED && outcome != AuditOutcome.AUDIT_OUTCOME_UNSPECIFIED) {
                assertEquals(outcome, AuditMessages.toProto(AuditMessages.outcomeFilter(outcome).orElseThrow()), outcome.name());
            }
        }
        assertEquals(Optional.empty(), AuditMessages.outcomeFilter(AuditOutcome.AUDIT_OUTCOME_UNSPECIFIED));
        assertEquals(Optional.empty(), AuditMessages.outcomeFilter(""));
        assertThrows(PolicyError.class, () -> AuditMessages.outcomeFilter(AuditOutcome.UNRECOGNIZED));
        assertThrows(PolicyError.class, () -> AuditMessages.outcomeFilter("AUDIT_OUTCOME_permit"));
    }
}
