package dev.zerogate.policy.service;

import dev.zerogate.policy.Actor;
import dev.zerogate.policy.AuditRecord;
import dev.zerogate.policy.PolicyDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link AuditLog#flush()} returns only once every decision queued before it is in the table. */
@QuarkusTest
@PolicyDatabase
@TestProfile(AuditLogFlushTest.NoScheduledFlush.class)
class AuditLogFlushTest {

    /** The scheduled flush out of the way (once an hour), so the test decides when a batch is in flight. */
    public static class NoScheduledFlush implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("zerogate.policy.audit.flush-interval", "1h");
        }
    }

    @Inject
    AuditLog audit;

    @Inject
    Pool pool;

    @Test
    void aFlushWaitsForTheBatchAnotherFlushTookFromTheQueue() throws Exception {
        AuditRecord event = audit.event(Actor.SYSTEM, "authorize", AuditRecord.Outcome.DENY);
        assertTrue(audit.offerDecision(event));

        // What the scheduled flush does: the queue is drained now, the transaction runs once subscribed.
        Uni<Void> inFlight = audit.flushDecisions();
        CompletableFuture<Void> flushed = audit.flush().subscribeAsCompletionStage().toCompletableFuture();
        assertFalse(flushed.isDone(), "the queue is empty, but the event is not written yet: flush must wait");

        inFlight.subscribe().with(done -> { }, failure -> { });
        flushed.get(10, TimeUnit.SECONDS);
        long rows = pool.preparedQuery("SELECT count(*) FROM audit_events WHERE id = $1")
                .execute(Tuple.of(UUID.fromString(event.id()))).await().indefinitely().iterator().next().getLong(0);
        assertEquals(1, rows, "the event is in the table once flush() returned");
    }
}
