package dev.zerogate.policy.store;

import dev.zerogate.policy.Actor;
import dev.zerogate.policy.AuditRecord;
import dev.zerogate.policy.RevocationRecord;
import dev.zerogate.policy.api.AuditMessages;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The names rows store: actor kinds and outcomes by their names in the API (rows written before
 * the store had its own mapping hold those), revocation kinds by the table's constraint. Every
 * value maps both ways.
 */
class StoredNamesTest {

    @Test
    void auditColumnsHoldTheApiNames() {
        for (Actor.Kind kind : Actor.Kind.values()) {
            assertEquals(AuditMessages.toProto(kind).name(), AuditStore.actorKindColumn(kind));
            assertEquals(kind, AuditStore.actorKind(AuditStore.actorKindColumn(kind)));
        }
        for (AuditRecord.Outcome outcome : AuditRecord.Outcome.values()) {
            assertEquals(AuditMessages.toProto(outcome).name(), AuditStore.outcomeColumn(outcome));
            assertEquals(outcome, AuditStore.outcome(AuditStore.outcomeColumn(outcome)));
        }
    }

    @Test
    void everyRevocationTargetHasItsColumnValue() {
        for (RevocationRecord.Target target : RevocationRecord.Target.values()) {
            assertEquals(target, PolicyStore.revocationTarget(PolicyStore.revocationColumn(target)));
        }
    }
}
