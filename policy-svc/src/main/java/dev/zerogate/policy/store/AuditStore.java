package dev.zerogate.policy.store;

import dev.zerogate.policy.Actor;
import dev.zerogate.policy.AuditRecord;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The audit_events table. Every writer takes {@link #APPEND_LOCK} for its transaction, so
 * sequence order is commit order and an export resumed after a sequence misses nothing. Actor
 * kinds and outcomes are stored by their names in the API ({@code ACTOR_KIND_USER},
 * {@code AUDIT_OUTCOME_PERMIT}), as the rows written before this table had a mapping of its own.
 */
@ApplicationScoped
public class AuditStore {

    static final long APPEND_LOCK = 0x7a67_6175_6469L;
    private static final String COLUMNS = "sequence, id, occurred_at, actor_kind, actor_id, actor_display_name, action, "
            + "target_type, target_id, target_display_name, outcome, reason, rule_id, device_id, source_ip, request_id, details";

    private final Pool pool;

    AuditStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * What to select; every field optional.
     *
     * @param start first instant, inclusive
     * @param end last instant, exclusive
     * @param actorId only events by this actor; empty for any
     * @param targetId only events about this target; empty for any
     * @param action an exact action, or a prefix ending in '.'; empty for any
     * @param outcome only events with this outcome; empty for any
     */
    public record Selection(Instant start, Instant end, String actorId, String targetId, String action,
                            Optional<AuditRecord.Outcome> outcome) {}

    /** Writes {@code event} in the caller's transaction (the change's own). */
    Uni<Void> append(SqlClient conn, AuditRecord event) {
        return conn.query("SELECT pg_advisory_xact_lock(" + APPEND_LOCK + ")").execute()
                .chain(() -> insert(conn, List.of(event)));
    }

    /** Writes {@code events} in one transaction of their own. */
    public Uni<Void> appendAll(List<AuditRecord> events) {
        return pool.withTransaction(conn -> conn.query("SELECT pg_advisory_xact_lock(" + APPEND_LOCK + ")").execute()
                .chain(() -> insert(conn, events)));
    }

    private static Uni<Void> insert(SqlClient conn, List<AuditRecord> events) {
        List<Tuple> rows = new ArrayList<>(events.size());
        for (AuditRecord event : events) {
            Actor actor = event.actor();
            rows.add(Tuple.tuple(List.of(UUID.fromString(event.id()), OffsetDateTime.ofInstant(event.occurredAt(), ZoneOffset.UTC),
                    actorKindColumn(actor.kind()), actor.id(), actor.displayName(), event.action(), event.target().type(),
                    event.target().id(), event.target().displayName(), outcomeColumn(event.outcome()), event.reason(), event.ruleId(),
                    actor.deviceId(), actor.sourceIp(), actor.requestId(), event.details())));
        }
        return conn.preparedQuery("INSERT INTO audit_events (id, occurred_at, actor_kind, actor_id, actor_display_name, action, "
                        + "target_type, target_id, target_display_name, outcome, reason, rule_id, device_id, source_ip, request_id, "
                        + "details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)")
                .executeBatch(rows).replaceWithVoid();
    }

    /** Up to {@code limit} events before {@code beforeSequence}, newest first. */
    public Uni<List<AuditRecord>> newestBefore(Selection selection, long beforeSequence, int limit) {
        Where where = where(selection);
        where.params.add(beforeSequence);
        where.params.add(limit);
        String sql = "SELECT " + COLUMNS + " FROM audit_events WHERE " + where.sql + " AND sequence < $" + (where.params.size() - 1)
                + " ORDER BY sequence DESC LIMIT $" + where.params.size();
        return pool.preparedQuery(sql).execute(Tuple.tuple(where.params)).map(AuditStore::events);
    }

    /** Up to {@code limit} events after {@code afterSequence} and at most {@code head}, oldest first. */
    public Uni<List<AuditRecord>> oldestAfter(Selection selection, long afterSequence, long head, int limit) {
        Where where = where(selection);
        where.params.add(afterSequence);
        where.params.add(head);
        where.params.add(limit);
        int n = where.params.size();
        String sql = "SELECT " + COLUMNS + " FROM audit_events WHERE " + where.sql + " AND sequence > $" + (n - 2)
                + " AND sequence <= $" + (n - 1) + " ORDER BY sequence LIMIT $" + n;
        return pool.preparedQuery(sql).execute(Tuple.tuple(where.params)).map(AuditStore::events);
    }

    /** The newest sequence written; 0 when the log is empty. */
    public Uni<Long> head() {
        return pool.query("SELECT coalesce(max(sequence), 0) FROM audit_events").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }

    private record Where(String sql, List<Object> params) {}

    private static Where where(Selection selection) {
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder("occurred_at >= $1 AND occurred_at < $2");
        params.add(OffsetDateTime.ofInstant(selection.start(), ZoneOffset.UTC));
        params.add(OffsetDateTime.ofInstant(selection.end(), ZoneOffset.UTC));
        if (!selection.actorId().isEmpty()) {
            params.add(selection.actorId());
            sql.append(" AND actor_id = $").append(params.size());
        }
        if (!selection.targetId().isEmpty()) {
            params.add(selection.targetId());
            sql.append(" AND target_id = $").append(params.size());
        }
        if (!selection.action().isEmpty()) {
            if (selection.action().endsWith(".")) {
                params.add(selection.action().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
                sql.append(" AND action LIKE $").append(params.size());
            } else {
                params.add(selection.action());
                sql.append(" AND action = $").append(params.size());
            }
        }
        selection.outcome().ifPresent(outcome -> {
            params.add(outcomeColumn(outcome));
            sql.append(" AND outcome = $").append(params.size());
        });
        return new Where(sql.toString(), params);
    }

    private static List<AuditRecord> events(RowSet<Row> rows) {
        List<AuditRecord> events = new ArrayList<>();
        for (Row row : rows) {
            Actor actor = new Actor(actorKind(row.getString("actor_kind")), row.getString("actor_id"),
                    row.getString("actor_display_name"), row.getString("device_id"), row.getString("source_ip"),
                    row.getString("request_id"));
            events.add(new AuditRecord(row.getUUID("id").toString(), row.getLong("sequence"),
                    row.getOffsetDateTime("occurred_at").toInstant(), actor, row.getString("action"),
                    new AuditRecord.Target(row.getString("target_type"), row.getString("target_id"),
                            row.getString("target_display_name")),
                    outcome(row.getString("outcome")), row.getString("reason"), row.getString("rule_id"), row.getString("details")));
        }
        return events;
    }

    static String actorKindColumn(Actor.Kind kind) {
        return switch (kind) {
            case USER -> "ACTOR_KIND_USER";
            case SERVICE_ACCOUNT -> "ACTOR_KIND_SERVICE_ACCOUNT";
            case CONNECTOR -> "ACTOR_KIND_CONNECTOR";
            case RELAY -> "ACTOR_KIND_RELAY";
            case SYSTEM -> "ACTOR_KIND_SYSTEM";
        };
    }

    static Actor.Kind actorKind(String column) {
        return switch (column) {
            case "ACTOR_KIND_USER" -> Actor.Kind.USER;
            case "ACTOR_KIND_SERVICE_ACCOUNT" -> Actor.Kind.SERVICE_ACCOUNT;
            case "ACTOR_KIND_CONNECTOR" -> Actor.Kind.CONNECTOR;
            case "ACTOR_KIND_RELAY" -> Actor.Kind.RELAY;
            case "ACTOR_KIND_SYSTEM" -> Actor.Kind.SYSTEM;
            default -> throw new IllegalStateException("unknown actor kind " + column + " in audit_events");
        };
    }

    public static String outcomeColumn(AuditRecord.Outcome outcome) {
        return switch (outcome) {
            case SUCCESS -> "AUDIT_OUTCOME_SUCCESS";
            case FAILURE -> "AUDIT_OUTCOME_FAILURE";
            case PERMIT -> "AUDIT_OUTCOME_PERMIT";
            case DENY -> "AUDIT_OUTCOME_DENY";
        };
    }

    static AuditRecord.Outcome outcome(String column) {
        return switch (column) {
            case "AUDIT_OUTCOME_SUCCESS" -> AuditRecord.Outcome.SUCCESS;
            case "AUDIT_OUTCOME_FAILURE" -> AuditRecord.Outcome.FAILURE;
            case "AUDIT_OUTCOME_PERMIT" -> AuditRecord.Outcome.PERMIT;
            case "AUDIT_OUTCOME_DENY" -> AuditRecord.Outcome.DENY;
            default -> throw new IllegalStateException("unknown outcome " + column + " in audit_events");
        };
    }
}
