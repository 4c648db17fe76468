package dev.zerogate.policy.service;

import dev.zerogate.policy.Actor;
import dev.zerogate.policy.AuditRecord;
import dev.zerogate.policy.config.PolicyConfig;
import dev.zerogate.policy.store.AuditStore;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The append-only audit log.
 *
 * <p>Admin changes are written in the change's own transaction ({@link PolicyChanges}): a change
 * without its audit event cannot commit. Decisions are many and fast, so they are queued in
 * memory and written in batches every {@code zerogate.policy.audit.flush-interval}; when the
 * queue is full, Authorize refuses (UNAVAILABLE) instead of deciding unaudited. What a crash
 * can lose is the last flush interval of decision events, never an admin change.
 */
@ApplicationScoped
public class AuditLog {

    private static final int FLUSH_BATCH = 1000;
    private static final int EXPORT_BATCH = 500;
    /** The contract caps details at 64 KiB; an oversized one keeps a marker, not a torn document. */
    private static final int MAX_DETAILS_CHARS = 64 * 1024;

    private final AuditStore store;
    private final Clock clock;
    private final BlockingQueue<AuditRecord> decisions;
    /** Batches of decisions being written: drained from the queue, not yet committed. */
    private final Set<CompletableFuture<Void>> writing = ConcurrentHashMap.newKeySet();

    AuditLog(AuditStore store, PolicyConfig config, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.decisions = new ArrayBlockingQueue<>(config.audit().queueCapacity());
    }

    /** A new event of {@code actor}, with a fresh id and the time now. */
    public AuditRecord event(Actor actor, String action, AuditRecord.Outcome outcome) {
        return event(UUID.randomUUID().toString(), actor, action, outcome, AuditRecord.NO_TARGET, "", "", "{}");
    }

    /**
     * A new event at the time now.
     *
     * @param details a JSON object; one longer than the contract allows is replaced by {@code {"truncated":true}}
     */
    public AuditRecord event(String id, Actor actor, String action, AuditRecord.Outcome outcome, AuditRecord.Target target,
                             String reason, String ruleId, String details) {
        String bounded = details.length() <= MAX_DETAILS_CHARS ? details : "{\"truncated\":true}";
        return new AuditRecord(id, 0, clock.instant().truncatedTo(ChronoUnit.MICROS), actor, action, target, outcome, reason, ruleId,
                bounded);
    }

    /** Queues a decision's event; false when the queue is full (the caller must not decide). */
    public boolean offerDecision(AuditRecord event) {
        return decisions.offer(event);
    }

    @Scheduled(every = "${zerogate.policy.audit.flush-interval:100ms}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> flushDecisions() {
        // Registered before the queue is drained: a flush() that finds the queue empty still waits
        // for the events this batch took out of it.
        CompletableFuture<Void> written = new CompletableFuture<>();
        writing.add(written);
        List<AuditRecord> batch = new ArrayList<>();
        decisions.drainTo(batch, FLUSH_BATCH);
        if (batch.isEmpty()) {
            writing.remove(written);
            written.complete(null);
            return Uni.createFrom().voidItem();
        }
        return store.appendAll(batch)
                .onFailure().invoke(e -> {
                    // Put them back (as many as fit) for the next flush rather than lose them.
                    int requeued = 0;
                    for (AuditRecord event : batch) {
                        requeued += decisions.offer(event) ? 1 : 0;
                    }
                    Log.errorf("writing %d decision audit events failed (%s); %d queued again", batch.size(), e.toString(), requeued);
                })
                .onFailure().recoverWithNull()
                .eventually(() -> {
                    writing.remove(written);
                    written.complete(null);
                })
                .chain(() -> decisions.size() >= FLUSH_BATCH ? flushDecisions() : Uni.createFrom().voidItem());
    }

    /**
     * Writes every queued decision now (tests and shutdown), after waiting for the batches being
     * written already: the scheduled flush may have drained the queue a moment ago, and its
     * events are not in the table until its transaction commits.
     */
    public Uni<Void> flush() {
        CompletableFuture<?>[] inFlight = writing.toArray(CompletableFuture<?>[]::new);
        return Uni.createFrom().completionStage(CompletableFuture.allOf(inFlight))
                .chain(() -> decisions.isEmpty() ? Uni.createFrom().voidItem() : flushDecisions().chain(this::flush));
    }

    /**
     * Filters of a query or export; every field optional.
     *
     * @param outcome only events with this outcome; empty for any
     */
    public record Filter(Instant startAt, Instant endAt, String subjectId, String resourceId, String action,
                         Optional<AuditRecord.Outcome> outcome) {

        String fingerprint() {
            return startAt + "|" + endAt + "|" + subjectId + "|" + resourceId + "|" + action + "|"
                    + outcome.map(AuditStore::outcomeColumn).orElse("AUDIT_OUTCOME_UNSPECIFIED");
        }

        AuditStore.Selection selection(Instant start, Instant end) {
            return new AuditStore.Selection(start, end, subjectId, resourceId, action, outcome);
        }
    }

    /** One page, newest first. */
    public Uni<Page<AuditRecord>> query(Filter filter, int requestedPageSize, String pageToken) {
        int size = Paging.pageSize(requestedPageSize);
        long before = pageToken.isEmpty() ? Long.MAX_VALUE : AuditPageToken.read(pageToken, filter.fingerprint());
        Instant end = filter.endAt() != null ? filter.endAt() : clock.instant();
        Instant start = filter.startAt() != null ? filter.startAt() : end.minus(Duration.ofHours(24));
        return store.newestBefore(filter.selection(start, end), before, size + 1).map(events -> {
            boolean more = events.size() > size;
            List<AuditRecord> page = more ? events.subList(0, size) : events;
            String next = more ? AuditPageToken.write(page.get(page.size() - 1).sequence(), filter.fingerprint()) : "";
            return new Page<>(List.copyOf(page), next);
        });
    }

    /** Every matching event, oldest first, in batches, up to the newest at the time of the call. */
    public Multi<List<AuditRecord>> export(Filter filter, long afterSequence) {
        Instant end = filter.endAt() != null ? filter.endAt() : clock.instant();
        Instant start = filter.startAt() != null ? filter.startAt() : Instant.EPOCH;
        AuditStore.Selection selection = filter.selection(start, end);
        return store.head()
                .onItem().transformToMulti(head -> Multi.createBy().repeating()
                        .uni(() -> new long[] {afterSequence}, cursor -> store.oldestAfter(selection, cursor[0], head, EXPORT_BATCH)
                                .invoke(events -> {
                                    if (!events.isEmpty()) {
                                        cursor[0] = events.get(events.size() - 1).sequence();
                                    }
                                }))
                        .whilst(batch -> batch.size() == EXPORT_BATCH))
                .select().where(batch -> !batch.isEmpty());
    }

    /** Page tokens of QueryAudit: the last sequence served, bound to the filters. */
    static final class AuditPageToken {
        private AuditPageToken() {}

        static String write(long sequence, String filter) {
            return Paging.tokenFor(filter, Long.toString(sequence));
        }

        static long read(String token, String filter) {
            try {
                return Long.parseLong(Paging.positionIn(token, filter));
            } catch (NumberFormatException e) {
                throw PolicyError.invalid("page_token", "is not a token this list issued");
            }
        }
    }
}
