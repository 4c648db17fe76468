package dev.zerogate.policy.service;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import dev.zerogate.policy.config.PolicyConfig;
import dev.zerogate.policy.engine.proto.EngineMapping;
import dev.zerogate.proto.policy.v1.ActorKind;
import dev.zerogate.proto.policy.v1.AuditActor;
import dev.zerogate.proto.policy.v1.AuditEvent;
import dev.zerogate.proto.policy.v1.AuditOutcome;
import dev.zerogate.proto.policy.v1.AuditTarget;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The append-only audit log in PostgreSQL.
 *
 * <p>Admin changes are written in the change's own transaction ({@link #append}): a change
 * without its audit event cannot commit. Decisions are many and fast, so they are queued in
 * memory and written in batches every {@code zerogate.policy.audit.flush-interval}; when the
 * queue is full, Authorize refuses (UNAVAILABLE) instead of deciding unaudited. What a crash
 * can lose is the last flush interval of decision events, never an admin change.
 *
 * <p>Every writer takes {@link #APPEND_LOCK} for its transaction, so sequence order is commit
 * order and an export resumed after a sequence misses nothing.
 */
@ApplicationScoped
public class AuditLog {

    static final long APPEND_LOCK = 0x7a67_6175_6469L;
    private static final int FLUSH_BATCH = 1000;
    private static final int EXPORT_BATCH = 500;
    private static final int MAX_DETAILS_CHARS = 64 * 1024;
    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final String COLUMNS = "sequence, id, occurred_at, actor_kind, actor_id, actor_display_name, action, "
            + "target_type, target_id, target_display_name, outcome, reason, rule_id, device_id, source_ip, request_id, details";

    private final Pool pool;
    private final Clock clock;
    private final BlockingQueue<AuditEvent> decisions;
    /** Batches of decisions being written: drained from the queue, not yet committed. */
    private final Set<CompletableFuture<Void>> writing = ConcurrentHashMap.newKeySet();

    AuditLog(Pool pool, PolicyConfig config, Clock clock) {
        this.pool = pool;
        this.clock = clock;
        this.decisions = new ArrayBlockingQueue<>(config.audit().queueCapacity());
    }

    /** Writes {@code event} in the caller's transaction. */
    public Uni<Void> append(SqlClient conn, AuditEvent event) {
        return conn.query("SELECT pg_advisory_xact_lock(" + APPEND_LOCK + ")").execute()
                .chain(() -> insert(conn, List.of(event)));
    }

    /** Queues a decision's event; false when the queue is full (the caller must not decide). */
    public boolean offerDecision(AuditEvent event) {
        return decisions.offer(event);
    }

    @Scheduled(every = "${zerogate.policy.audit.flush-interval:100ms}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> flushDecisions() {
        // Registered before the queue is drained: a flush() that finds the queue empty still waits
        // for the events this batch took out of it.
        CompletableFuture<Void> written = new CompletableFuture<>();
        writing.add(written);
        List<AuditEvent> batch = new ArrayList<>();
        decisions.drainTo(batch, FLUSH_BATCH);
        if (batch.isEmpty()) {
            writing.remove(written);
            written.complete(null);
            return Uni.createFrom().voidItem();
        }
        return pool.withTransaction(conn -> conn.query("SELECT pg_advisory_xact_lock(" + APPEND_LOCK + ")").execute()
                        .chain(() -> insert(conn, batch)))
                .onFailure().invoke(e -> {
                    // Put them back (as many as fit) for the next flush rather than lose them.
                    int requeued = 0;
                    for (AuditEvent event : batch) {
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

    private Uni<Void> insert(SqlClient conn, List<AuditEvent> events) {
        List<Tuple> rows = new ArrayList<>(events.size());
        for (AuditEvent event : events) {
            rows.add(Tuple.tuple(List.of(UUID.fromString(event.getId()),
                    OffsetDateTime.ofInstant(EngineMapping.instant(event.getOccurredAt()), ZoneOffset.UTC),
                    event.getActor().getKind().name(), event.getActor().getId(), event.getActor().getDisplayName(),
                    event.getAction(), event.getTarget().getType(), event.getTarget().getId(), event.getTarget().getDisplayName(),
                    event.getOutcome().name(), event.getReason(), event.getRuleId(), event.getDeviceId(), event.getSourceIp(),
                    event.getRequestId(), detailsJson(event.getDetails()))));
        }
        return conn.preparedQuery("INSERT INTO audit_events (id, occurred_at, actor_kind, actor_id, actor_display_name, action, "
                        + "target_type, target_id, target_display_name, outcome, reason, rule_id, device_id, source_ip, request_id, "
                        + "details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)")
                .executeBatch(rows).replaceWithVoid();
    }

    private static String detailsJson(Struct details) {
        try {
            String json = JSON.print(details);
            // The contract caps details at 64 KiB; an oversized one keeps a marker, not a torn document.
            return json.length() <= MAX_DETAILS_CHARS ? json : "{\"truncated\":true}";
        } catch (InvalidProtocolBufferException e) {
            return "{}";
        }
    }

    /** A new event, id and time filled in. */
    public AuditEvent.Builder event(Actor actor, String action, AuditOutcome outcome) {
        return AuditEvent.newBuilder()
                .setId(UUID.randomUUID().toString())
                .setOccurredAt(EngineMapping.timestamp(clock.instant().truncatedTo(ChronoUnit.MICROS)))
                .setActor(AuditActor.newBuilder().setKind(actor.kind()).setId(actor.id()).setDisplayName(actor.displayName()))
                .setAction(action)
                .setOutcome(outcome)
                .setDeviceId(actor.deviceId())
                .setSourceIp(actor.sourceIp())
                .setRequestId(actor.requestId());
    }

    public static AuditTarget target(String type, String id, String displayName) {
        return AuditTarget.newBuilder().setType(type).setId(id).setDisplayName(truncate(displayName, 254)).build();
    }

    static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }

    /** Filters of a query or export; every field optional. */
    public record Filter(Instant startAt, Instant endAt, String subjectId, String resourceId, String action, AuditOutcome outcome) {

        String fingerprint() {
            return startAt + "|" + endAt + "|" + subjectId + "|" + resourceId + "|" + action + "|" + outcome;
        }
    }

    /** One page, newest first. */
    public Uni<Page<AuditEvent>> query(Filter filter, int requestedPageSize, String pageToken) {
        int size = Paging.pageSize(requestedPageSize);
        long before = pageToken.isEmpty() ? Long.MAX_VALUE : AuditPageToken.read(pageToken, filter.fingerprint());
        Instant end = filter.endAt() != null ? filter.endAt() : clock.instant();
        Instant start = filter.startAt() != null ? filter.startAt() : end.minus(java.time.Duration.ofHours(24));
        Where where = where(filter, start, end);
        where.params.add(before);
        where.params.add(size + 1);
        String sql = "SELECT " + COLUMNS + " FROM audit_events WHERE " + where.sql + " AND sequence < $" + (where.params.size() - 1)
                + " ORDER BY sequence DESC LIMIT $" + where.params.size();
        return pool.preparedQuery(sql).execute(Tuple.tuple(where.params)).map(rows -> {
            List<AuditEvent> events = events(rows);
            boolean more = events.size() > size;
            List<AuditEvent> page = more ? events.subList(0, size) : events;
            String next = more ? AuditPageToken.write(page.get(page.size() - 1).getSequence(), filter.fingerprint()) : "";
            return new Page<>(List.copyOf(page), next);
        });
    }

    /** Every matching event, oldest first, in batches, up to the newest at the time of the call. */
    public Multi<List<AuditEvent>> export(Filter filter, long afterSequence) {
        Instant end = filter.endAt() != null ? filter.endAt() : clock.instant();
        Instant start = filter.startAt() != null ? filter.startAt() : Instant.EPOCH;
        return pool.query("SELECT coalesce(max(sequence), 0) FROM audit_events").execute()
                .map(rows -> rows.iterator().next().getLong(0))
                .onItem().transformToMulti(head -> Multi.createBy().repeating()
                        .uni(() -> new long[] {afterSequence}, cursor -> exportBatch(filter, start, end, cursor, head))
                        .whilst(batch -> batch.size() == EXPORT_BATCH))
                .select().where(batch -> !batch.isEmpty());
    }

    private Uni<List<AuditEvent>> exportBatch(Filter filter, Instant start, Instant end, long[] cursor, long head) {
        Where where = where(filter, start, end);
        where.params.add(cursor[0]);
        where.params.add(head);
        where.params.add(EXPORT_BATCH);
        int n = where.params.size();
        String sql = "SELECT " + COLUMNS + " FROM audit_events WHERE " + where.sql + " AND sequence > $" + (n - 2)
                + " AND sequence <= $" + (n - 1) + " ORDER BY sequence LIMIT $" + n;
        return pool.preparedQuery(sql).execute(Tuple.tuple(where.params)).map(rows -> {
            List<AuditEvent> events = events(rows);
            if (!events.isEmpty()) {
                cursor[0] = events.get(events.size() - 1).getSequence();
            }
            return events;
        });
    }

    private record Where(String sql, List<Object> params) {}

    private static Where where(Filter filter, Instant start, Instant end) {
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder("occurred_at >= $1 AND occurred_at < $2");
        params.add(OffsetDateTime.ofInstant(start, ZoneOffset.UTC));
        params.add(OffsetDateTime.ofInstant(end, ZoneOffset.UTC));
        if (!filter.subjectId().isEmpty()) {
            params.add(filter.subjectId());
            sql.append(" AND actor_id = $").append(params.size());
        }
        if (!filter.resourceId().isEmpty()) {
            params.add(filter.resourceId());
            sql.append(" AND target_id = $").append(params.size());
        }
        if (!filter.action().isEmpty()) {
            if (filter.action().endsWith(".")) {
                params.add(filter.action().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
                sql.append(" AND action LIKE $").append(params.size());
            } else {
                params.add(filter.action());
                sql.append(" AND action = $").append(params.size());
            }
        }
        if (filter.outcome() != AuditOutcome.AUDIT_OUTCOME_UNSPECIFIED) {
            params.add(filter.outcome().name());
            sql.append(" AND outcome = $").append(params.size());
        }
        return new Where(sql.toString(), params);
    }

    private static List<AuditEvent> events(RowSet<Row> rows) {
        List<AuditEvent> events = new ArrayList<>();
        for (Row row : rows) {
            Struct.Builder details = Struct.newBuilder();
            try {
                JsonFormat.parser().merge(row.getString("details"), details);
            } catch (InvalidProtocolBufferException e) {
                details.clear();
            }
            events.add(AuditEvent.newBuilder()
                    .setId(row.getUUID("id").toString())
                    .setSequence(row.getLong("sequence"))
                    .setOccurredAt(EngineMapping.timestamp(row.getOffsetDateTime("occurred_at").toInstant()))
                    .setActor(AuditActor.newBuilder().setKind(ActorKind.valueOf(row.getString("actor_kind")))
                            .setId(row.getString("actor_id")).setDisplayName(row.getString("actor_display_name")))
                    .setAction(row.getString("action"))
                    .setTarget(AuditTarget.newBuilder().setType(row.getString("target_type")).setId(row.getString("target_id"))
                            .setDisplayName(row.getString("target_display_name")))
                    .setOutcome(AuditOutcome.valueOf(row.getString("outcome")))
                    .setReason(row.getString("reason"))
                    .setRuleId(row.getString("rule_id"))
                    .setDeviceId(row.getString("device_id"))
                    .setSourceIp(row.getString("source_ip"))
                    .setRequestId(row.getString("request_id"))
                    .setDetails(details)
                    .build());
        }
        return events;
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
