package dev.zerogate.policy.store;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.zerogate.policy.config.PolicyConfig;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.Connector;
import dev.zerogate.proto.policy.v1.Group;
import dev.zerogate.proto.policy.v1.RemoteNetwork;
import dev.zerogate.proto.policy.v1.Resource;
import dev.zerogate.proto.policy.v1.Revocation;
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
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The policy model in PostgreSQL and this replica's copy of it in memory.
 *
 * <p>Writes: every change runs in one transaction that first takes {@link #WRITE_LOCK} (a
 * transaction-scoped advisory lock), then brings the in-memory state up to the log's head, so
 * that the change is validated against everything committed before it; then it writes the
 * entity rows, one policy_log entry per change and its audit event. Because sequences are taken
 * under the lock, sequence order is commit order, and a reader that has applied the log up to
 * a position has seen every change before it.
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
    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser JSON_PARSER = JsonFormat.parser().ignoringUnknownFields();

    private final Pool pool;
    private final PolicyConfig config;
    private final Clock clock;
    private final List<BiConsumer<List<LogEntry>, PolicyState>> listeners = new CopyOnWriteArrayList<>();
    private volatile PolicyState state = PolicyState.EMPTY;

    PolicyStore(Pool pool, PolicyConfig config, Clock clock) {
        this.pool = pool;
        this.config = config;
        this.clock = clock;
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
    public <T> Uni<T> write(Function<Writer, Uni<T>> change) {
        return pool.withTransaction(conn -> conn.query("SELECT pg_advisory_xact_lock(" + WRITE_LOCK + ")").execute()
                        .chain(() -> catchUp(conn))
                        .chain(current -> change.apply(new Writer(conn, current, now()))))
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
        return pool.preparedQuery("SELECT sequence, committed_at, kind, entity_id, network_ids, previous_network_ids, payload "
                        + "FROM policy_log WHERE sequence > $1 ORDER BY sequence LIMIT $2")
                .execute(Tuple.of(sequence, limit))
                .map(PolicyStore::entries);
    }

    /** The oldest position a stream can resume from: everything at or before it was pruned. */
    public Uni<Long> prunedThrough() {
        return pool.query("SELECT pruned_through FROM policy_log_horizon").execute()
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
        return conn.preparedQuery("SELECT sequence, committed_at, kind, entity_id, network_ids, previous_network_ids, payload "
                        + "FROM policy_log WHERE sequence > $1 ORDER BY sequence LIMIT $2")
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
        Uni<List<RemoteNetwork>> networks = conn.query("SELECT id, name, description, created_at, updated_at, change_sequence "
                + "FROM remote_networks").execute().map(rows -> {
                    List<RemoteNetwork> list = new ArrayList<>();
                    for (Row row : rows) {
                        list.add(RemoteNetwork.newBuilder().setId(row.getUUID("id").toString()).setName(row.getString("name"))
                                .setDescription(row.getString("description"))
                                .setCreatedAt(dev.zerogate.policy.engine.proto.EngineMapping.timestamp(row.getOffsetDateTime("created_at").toInstant()))
                                .setUpdatedAt(dev.zerogate.policy.engine.proto.EngineMapping.timestamp(row.getOffsetDateTime("updated_at").toInstant()))
                                .setEtag(Long.toString(row.getLong("change_sequence"))).build());
                    }
                    return list;
                });
        Uni<List<Connector>> connectors = bodies(conn, "connectors", Connector.newBuilder());
        Uni<List<Resource>> resources = bodies(conn, "resources", Resource.newBuilder());
        Uni<List<Group>> groups = bodies(conn, "groups", Group.newBuilder());
        Uni<List<AccessRule>> rules = bodies(conn, "access_rules", AccessRule.newBuilder());
        Uni<List<PolicyState.StoredRevocation>> revocations = conn.preparedQuery(
                        "SELECT subject_kind, subject_id, revoked_at, reason, change_sequence FROM revocations WHERE revoked_at > $1")
                .execute(Tuple.of(revocationsSince)).map(rows -> {
                    List<PolicyState.StoredRevocation> list = new ArrayList<>();
                    for (Row row : rows) {
                        list.add(new PolicyState.StoredRevocation(Revocations.proto(row.getString("subject_kind"),
                                row.getUUID("subject_id").toString(), row.getOffsetDateTime("revoked_at").toInstant(),
                                row.getString("reason")), row.getLong("change_sequence")));
                    }
                    return list;
                });
        // One connection runs one query at a time: chain them rather than combine.
        return head.chain(sequence -> networks.chain(n -> connectors.chain(c -> resources.chain(r -> groups.chain(g -> rules.chain(
                rule -> revocations.map(rev -> PolicyState.loaded(sequence, n, c, r, g, rule, rev))))))));
    }

    @SuppressWarnings("unchecked")
    private static <M extends Message> Uni<List<M>> bodies(SqlClient conn, String table, Message.Builder prototype) {
        return conn.query("SELECT body FROM " + table).execute().map(rows -> {
            List<M> list = new ArrayList<>();
            for (Row row : rows) {
                Message.Builder builder = prototype.clone().clear();
                try {
                    JSON_PARSER.merge(row.getString("body"), builder);
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalStateException("a row of " + table + " has a body that does not parse", e);
                }
                list.add((M) builder.build());
            }
            return list;
        });
    }

    private static List<LogEntry> entries(RowSet<Row> rows) {
        List<LogEntry> entries = new ArrayList<>();
        for (Row row : rows) {
            entries.add(new LogEntry(row.getLong("sequence"), row.getOffsetDateTime("committed_at").toInstant(),
                    LogKind.valueOf(row.getString("kind")), row.getString("entity_id"),
                    LogEntry.splitIds(row.getString("network_ids")), LogEntry.splitIds(row.getString("previous_network_ids")),
                    row.getBuffer("payload").getBytes()));
        }
        return entries;
    }

    /** PostgreSQL keeps microseconds: times are cut to them before they are written or returned. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /** The entity as its row's body stores it. */
    public static String body(Message entity) {
        try {
            return JSON.print(entity);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print " + entity.getDescriptorForType().getFullName(), e);
        }
    }

    /**
     * One change in progress: the connection of its transaction, the state it is validated
     * against, and the time it happens at (one instant for every row it writes).
     */
    public static final class Writer {
        private final SqlClient conn;
        private final PolicyState state;
        private final Instant now;

        Writer(SqlClient conn, PolicyState state, Instant now) {
            this.conn = conn;
            this.state = state;
            this.now = now;
        }

        public SqlClient conn() {
            return conn;
        }

        public PolicyState state() {
            return state;
        }

        public Instant now() {
            return now;
        }

        public OffsetDateTime nowUtc() {
            return OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
        }

        /** The next log position; taken under the lock, so it is also the next to commit. */
        public Uni<Long> nextSequence() {
            return conn.query("SELECT nextval(pg_get_serial_sequence('policy_log', 'sequence'))").execute()
                    .map(rows -> rows.iterator().next().getLong(0));
        }

        /** Appends the log entry of a change at {@code sequence} (from {@link #nextSequence()}). */
        public Uni<Void> log(long sequence, LogKind kind, String entityId, Set<String> networkIds, Set<String> previousNetworkIds,
                             Message payload) {
            return conn.preparedQuery("INSERT INTO policy_log (sequence, committed_at, kind, entity_id, network_ids, "
                            + "previous_network_ids, payload) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .execute(Tuple.tuple(List.of(sequence, nowUtc(), kind.name(), entityId, LogEntry.joinIds(networkIds),
                            LogEntry.joinIds(previousNetworkIds), io.vertx.core.buffer.Buffer.buffer(payload.toByteArray()))))
                    .replaceWithVoid();
        }

        /** Runs one statement of the change. */
        public Uni<RowSet<Row>> execute(String sql, Object... params) {
            return conn.preparedQuery(sql).execute(Tuple.tuple(java.util.Arrays.asList(params)));
        }
    }
}
