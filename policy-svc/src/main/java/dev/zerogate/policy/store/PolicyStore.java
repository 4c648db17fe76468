package dev.zerogate.policy.store;

import dev.zerogate.policy.ConnectorRecord;
import dev.zerogate.policy.GroupRecord;
import dev.zerogate.policy.NetworkRecord;
import dev.zerogate.policy.ResourceRecord;
import dev.zerogate.policy.RevocationRecord;
import dev.zerogate.policy.RuleRecord;
import dev.zerogate.policy.config.PolicyConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The policy model in PostgreSQL and this replica's copy of it in memory.
 *
 * <p>Writes: every change runs in one transaction that first takes {@link #WRITE_LOCK} (a
 * transaction-scoped advisory lock), then brings the in-memory state up to the log's head, so
 * that the change is validated against everything committed before it; then it writes the
 * entity rows, one policy_log entry per change and its audit event ({@link PolicyWriter}).
 * Because sequences are taken under the lock, sequence order is commit order, and a reader that
 * has applied the log up to a position has seen every change before it.
 *
 * <p>Reads: every replica tails policy_log (right after its own writes, and every
 * {@code zerogate.policy.stream.poll-interval} for other replicas' writes) and swaps in a new
 * immutable {@link PolicyState}. Listeners (the policy streams) get each batch of entries in
 * order, with the state after them.
 */
@ApplicationScoped
public class PolicyStore {

    /** Any fixed number works, as long as nothing else in this database takes it. */
    static final long WRITE_LOCK = 0x7a67_706f_6c69L;
    private static final int CATCH_UP_BATCH = 1000;
    private static final String LOG_COLUMNS = "sequence, committed_at, kind, entity_id, network_ids, previous_network_ids, payload";

    private final Pool pool;
    private final PolicyConfig config;
    private final Clock clock;
    private final EntityCodec codec;
    private final AuditStore audit;
    private final List<BiConsumer<List<LogEntry>, PolicyState>> listeners = new CopyOnWriteArrayList<>();
    private volatile PolicyState state = PolicyState.EMPTY;

    PolicyStore(Pool pool, PolicyConfig config, Clock clock, EntityCodec codec, AuditStore audit) {
        this.pool = pool;
        this.config = config;
        this.clock = clock;
        this.codec = codec;
        this.audit = audit;
    }

    void onStart(@Observes StartupEvent event) throws Throwable {
        PolicyState loaded = VertxContextSupport.subscribeAndAwait(this::load);
        Log.infof("policy loaded at log position %d: %d networks, %d resources, %d groups, %d rules", loaded.sequence(),
                loaded.networks().size(), loaded.resources().size(), loaded.groups().size(), loaded.rules().size());
    }

    /** The newest state this replica has applied. */
    public PolicyState current() {
        return state;
    }

    /** Registers {@code listener} and returns the state it starts after, atomically. */
    public synchronized PolicyState listenFrom(BiConsumer<List<LogEntry>, PolicyState> listener, List<Runnable> stop) {
        listeners.add(listener);
        stop.add(() -> listeners.remove(listener));
        return state;
    }

    /** A change to the model: one transaction, under the write lock, validated against the head. */
    public <T> Uni<T> write(Function<PolicyWriter, Uni<T>> change) {
        return pool.withTransaction(conn -> conn.query("SELECT pg_advisory_xact_lock(" + WRITE_LOCK + ")").execute()
                        .chain(() -> catchUp(conn))
                        .chain(current -> change.apply(new PolicyWriter(conn, current, now(), codec, audit))))
                .call(result -> catchUp());
    }

    /** Applies what other replicas (or this one) committed since the last catch-up. */
    public Uni<PolicyState> catchUp() {
        return pool.withConnection(this::catchUp);
    }

    @Scheduled(every = "${zerogate.policy.stream.poll-interval:250ms}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> catchUpPeriodically() {
        return catchUp().replaceWithVoid().onFailure().invoke(e -> Log.warnf("policy catch-up failed: %s", e.toString()))
                .onFailure().recoverWithNull();
    }

    /** Entries after {@code sequence}, oldest first, at most {@code limit}: for resuming streams. */
    public Uni<List<LogEntry>> entriesAfter(long sequence, int limit) {
        return pool.preparedQuery("SELECT " + LOG_COLUMNS + " FROM policy_log WHERE sequence > $1 ORDER BY sequence LIMIT $2")
                .execute(Tuple.of(sequence, limit))
                .map(this::entries);
    }

    /** The oldest position a stream can resume from: everything at or before it was pruned. */
    public Uni<Long> prunedThrough() {
        return pool.query("SELECT pruned_through FROM policy_log_horizon").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** The newest identity-svc revocation recorded, by its sequence there; 0 when none. */
    public Uni<Long> lastIdentityRevocation() {
        return pool.query("SELECT coalesce(max(identity_sequence), 0) FROM revocations").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** Drops log entries older than the retention (keeping the newest), once an hour. */
    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> pruneLog() {
        OffsetDateTime before = OffsetDateTime.ofInstant(now().minus(config.stream().logRetention()), ZoneOffset.UTC);
        return pool.withTransaction(conn -> conn.query("SELECT pg_advisory_xact_lock(" + WRITE_LOCK + ")").execute()
                .chain(() -> conn.preparedQuery("WITH gone AS (DELETE FROM policy_log WHERE committed_at < $1 "
                                + "AND sequence < (SELECT max(sequence) FROM policy_log) RETURNING sequence) "
                                + "UPDATE policy_log_horizon SET pruned_through = greatest(pruned_through, "
                                + "(SELECT coalesce(max(sequence), 0) FROM gone))")
                        .execute(Tuple.of(before))))
                .replaceWithVoid();
    }

    private Uni<PolicyState> catchUp(SqlClient conn) {
        long from = state.sequence();
        return conn.preparedQuery("SELECT " + LOG_COLUMNS + " FROM policy_log WHERE sequence > $1 ORDER BY sequence LIMIT $2")
                .execute(Tuple.of(from, CATCH_UP_BATCH))
                .chain(rows -> {
                    List<LogEntry> entries = entries(rows);
                    if (entries.isEmpty()) {
                        return conn.query("SELECT pruned_through FROM policy_log_horizon").execute().chain(horizon ->
                                horizon.iterator().next().getLong(0) > state.sequence() ? reload(conn) : Uni.createFrom().item(state));
                    }
                    advance(entries);
                    return entries.size() == CATCH_UP_BATCH ? catchUp(conn) : Uni.createFrom().item(state);
                });
    }

    private synchronized void advance(List<LogEntry> entries) {
        PolicyState before = state;
        PolicyState after = before.apply(entries);
        if (after == before) {
            return;
        }
        state = after;
        List<LogEntry> applied = entries.stream().filter(e -> e.sequence() > before.sequence()).toList();
        for (var listener : listeners) {
            listener.accept(applied, after);
        }
    }

    /** A replica that fell behind the pruned log (days offline) starts over from the tables. */
    private Uni<PolicyState> reload(SqlClient conn) {
        Log.warn("this replica fell behind the retained policy log; reloading the whole policy");
        return loadWith(conn).invoke(this::replace);
    }

    private synchronized void replace(PolicyState loaded) {
        state = loaded;
    }

    /** Reads the whole model from the entity tables, at a consistent log position. */
    Uni<PolicyState> load() {
        // The shared lock waits for a writer in flight and keeps new ones out while we read.
        return pool.withTransaction(conn -> conn.query("SELECT pg_advisory_xact_lock_shared(" + WRITE_LOCK + ")").execute()
                        .chain(() -> loadWith(conn)))
                .invoke(this::replace);
    }

    private Uni<PolicyState> loadWith(SqlClient conn) {
        OffsetDateTime revocationsSince = OffsetDateTime.ofInstant(now().minus(config.stream().revocationRetention()), ZoneOffset.UTC);
        Uni<Long> head = conn.query("SELECT greatest((SELECT coalesce(max(sequence), 0) FROM policy_log), "
                + "(SELECT pruned_through FROM policy_log_horizon))").execute().map(rows -> rows.iterator().next().getLong(0));
        Uni<List<NetworkRecord>> networks = conn.query("SELECT id, name, description, created_at, updated_at, change_sequence "
                + "FROM remote_networks").execute().map(rows -> {
                    List<NetworkRecord> list = new ArrayList<>();
                    for (Row row : rows) {
                        list.add(new NetworkRecord(row.getUUID("id").toString(), row.getString("name"), row.getString("description"),
                                row.getOffsetDateTime("created_at").toInstant(), row.getOffsetDateTime("updated_at").toInstant(),
                                row.getLong("change_sequence")));
                    }
                    return list;
                });
        Uni<List<ConnectorRecord>> connectors = bodies(conn, "connectors", codec::connector);
        Uni<List<ResourceRecord>> resources = bodies(conn, "resources", codec::resource);
        Uni<List<GroupRecord>> groups = bodies(conn, "groups", codec::group);
        Uni<List<RuleRecord>> rules = bodies(conn, "access_rules", codec::rule);
        Uni<List<PolicyState.StoredRevocation>> revocations = conn.preparedQuery(
                        "SELECT subject_kind, subject_id, revoked_at, reason, change_sequence FROM revocations WHERE revoked_at > $1")
                .execute(Tuple.of(revocationsSince)).map(rows -> {
                    List<PolicyState.StoredRevocation> list = new ArrayList<>();
                    for (Row row : rows) {
                        list.add(new PolicyState.StoredRevocation(new RevocationRecord(revocationTarget(row.getString("subject_kind")),
                                row.getUUID("subject_id").toString(), row.getOffsetDateTime("revoked_at").toInstant(),
                                row.getString("reason")), row.getLong("change_sequence")));
                    }
                    return list;
                });
        // One connection runs one query at a time: chain them rather than combine.
        return head.chain(sequence -> networks.chain(n -> connectors.chain(c -> resources.chain(r -> groups.chain(g -> rules.chain(
                rule -> revocations.map(rev -> PolicyState.loaded(sequence, n, c, r, g, rule, rev))))))));
    }

    private static <R> Uni<List<R>> bodies(SqlClient conn, String table, Function<String, R> read) {
        return conn.query("SELECT body FROM " + table).execute().map(rows -> {
            List<R> list = new ArrayList<>();
            for (Row row : rows) {
                try {
                    list.add(read.apply(row.getString("body")));
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("a row of " + table + " has a body that does not parse", e);
                }
            }
            return list;
        });
    }

    private List<LogEntry> entries(RowSet<Row> rows) {
        List<LogEntry> entries = new ArrayList<>();
        for (Row row : rows) {
            long sequence = row.getLong("sequence");
            LogKind kind = LogKind.valueOf(row.getString("kind"));
            var payload = row.getBuffer("payload").getBytes();
            try {
                entries.add(new LogEntry(sequence, row.getOffsetDateTime("committed_at").toInstant(), kind, row.getString("entity_id"),
                        LogEntry.splitIds(row.getString("network_ids")), LogEntry.splitIds(row.getString("previous_network_ids")),
                        codec.payload(kind, payload)));
            } catch (IllegalArgumentException e) {
                // Written by this service's own code; unreadable means a bug, not bad input.
                throw new IllegalStateException("policy_log entry " + sequence + " does not parse as " + kind, e);
            }
        }
        return entries;
    }

    /** PostgreSQL keeps microseconds: times are cut to them before they are written or returned. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /** The revocations table's name for a target. */
    static String revocationColumn(RevocationRecord.Target target) {
        return switch (target) {
            case USER -> "USER";
            case DEVICE -> "DEVICE";
            case CONNECTOR -> "CONNECTOR";
            case SERVICE_ACCOUNT -> "SERVICE_ACCOUNT";
            case SESSION -> "SESSION";
        };
    }

    static RevocationRecord.Target revocationTarget(String column) {
        return switch (column) {
            case "USER" -> RevocationRecord.Target.USER;
            case "DEVICE" -> RevocationRecord.Target.DEVICE;
            case "CONNECTOR" -> RevocationRecord.Target.CONNECTOR;
            case "SERVICE_ACCOUNT" -> RevocationRecord.Target.SERVICE_ACCOUNT;
            case "SESSION" -> RevocationRecord.Target.SESSION;
            default -> throw new IllegalStateException("unknown revocation subject kind " + column);
        };
    }
}
