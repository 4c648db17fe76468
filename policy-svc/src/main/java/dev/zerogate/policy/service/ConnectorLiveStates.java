package dev.zerogate.policy.service;

import dev.zerogate.policy.engine.proto.EngineMapping;
import dev.zerogate.proto.policy.v1.ConnectorLiveState;
import dev.zerogate.proto.policy.v1.ConnectorReport;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Connectors' live state from the relays' reports: each relay replaces its own rows with every
 * report (connector_reports), and a connector's state is derived from all relays' rows when an
 * admin reads it: online while any relay heard it within that relay's offline_after.
 */
@ApplicationScoped
public class ConnectorLiveStates {

    public static final int MAX_CONNECTORS_PER_REPORT = 1000;
    private static final int MAX_LABELS = 32;
    private static final Duration MIN_OFFLINE_AFTER = Duration.ofSeconds(1);
    private static final Duration MAX_OFFLINE_AFTER = Duration.ofMinutes(10);

    private final Pool pool;
    private final Clock clock;

    ConnectorLiveStates(Pool pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    /** Replaces {@code relayId}'s report; connectors policy-svc does not know are left out. */
    public Uni<Void> report(String relayId, Duration offlineAfter, List<ConnectorReport> connectors, Set<String> knownConnectors) {
        Requests.id(relayId, "relay_id");
        if (offlineAfter.compareTo(MIN_OFFLINE_AFTER) < 0 || offlineAfter.compareTo(MAX_OFFLINE_AFTER) > 0) {
            throw PolicyError.invalid("offline_after", "must be 1 s to 10 min");
        }
        if (connectors.size() > MAX_CONNECTORS_PER_REPORT) {
            throw PolicyError.invalid("connectors", "has " + connectors.size() + " entries; at most " + MAX_CONNECTORS_PER_REPORT);
        }
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        List<Tuple> rows = new ArrayList<>();
        for (int i = 0; i < connectors.size(); i++) {
            ConnectorReport report = connectors.get(i);
            String field = "connectors[" + i + "]";
            Requests.id(report.getConnectorId(), field + ".connector_id");
            check(report, field);
            if (!knownConnectors.contains(report.getConnectorId())) {
                continue;
            }
            rows.add(Tuple.tuple(List.of(UUID.fromString(relayId), UUID.fromString(report.getConnectorId()),
                    OffsetDateTime.ofInstant(EngineMapping.instant(report.getLastHeartbeatAt()), ZoneOffset.UTC),
                    offlineAfter.toMillis(), report.getVersion(), new JsonObject(new HashMap<>(report.getLabelsMap())).encode(),
                    report.getActiveFlowCount(), now)));
        }
        return pool.withTransaction(conn -> conn.preparedQuery("DELETE FROM connector_reports WHERE relay_id = $1")
                .execute(Tuple.of(UUID.fromString(relayId)))
                .chain(() -> rows.isEmpty() ? Uni.createFrom().voidItem() : conn.preparedQuery("INSERT INTO connector_reports "
                                + "(relay_id, connector_id, last_heartbeat_at, offline_after_ms, version, labels, active_flow_count, reported_at) "
                                + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                        .executeBatch(rows).replaceWithVoid()));
    }

    private static void check(ConnectorReport report, String field) {
        if (!report.hasLastHeartbeatAt()) {
            throw PolicyError.invalid(field + ".last_heartbeat_at", "is required");
        }
        if (report.getVersion().length() > 64) {
            throw PolicyError.invalid(field + ".version", "is longer than 64 characters");
        }
        if (report.getLabelsCount() > MAX_LABELS) {
            throw PolicyError.invalid(field + ".labels", "has more than " + MAX_LABELS + " entries");
        }
        report.getLabelsMap().forEach((key, value) -> {
            if (key.isEmpty() || key.length() > 63 || value.length() > 255) {
                throw PolicyError.invalid(field + ".labels", "keys must be 1 to 63 characters and values at most 255");
            }
        });
    }

    /** The live state of each of {@code connectorIds}; connectors no relay reported are offline and never seen. */
    public Uni<Map<String, ConnectorLiveState>> of(Collection<String> connectorIds) {
        if (connectorIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        UUID[] ids = connectorIds.stream().map(UUID::fromString).toArray(UUID[]::new);
        return pool.preparedQuery("SELECT relay_id, connector_id, last_heartbeat_at, offline_after_ms, version, labels, "
                        + "active_flow_count FROM connector_reports WHERE connector_id = ANY($1)")
                .execute(Tuple.of(ids)).map(rows -> {
                    Instant now = clock.instant();
                    Map<String, List<Row>> byConnector = new HashMap<>();
                    for (Row row : rows) {
                        byConnector.computeIfAbsent(row.getUUID("connector_id").toString(), id -> new ArrayList<>()).add(row);
                    }
                    Map<String, ConnectorLiveState> states = new HashMap<>();
                    byConnector.forEach((id, reports) -> states.put(id, merge(reports, now)));
                    return states;
                });
    }

    private static ConnectorLiveState merge(List<Row> reports, Instant now) {
        ConnectorLiveState.Builder state = ConnectorLiveState.newBuilder();
        Instant latest = null;
        Set<String> relays = new TreeSet<>();
        int flows = 0;
        for (Row report : reports) {
            Instant heartbeat = report.getOffsetDateTime("last_heartbeat_at").toInstant();
            boolean online = heartbeat.plusMillis(report.getLong("offline_after_ms")).isAfter(now);
            if (online) {
                relays.add(report.getUUID("relay_id").toString());
                flows += report.getInteger("active_flow_count");
            }
            if (latest == null || heartbeat.isAfter(latest)) {
                latest = heartbeat;
                state.setVersion(report.getString("version")).clearLabels();
                new JsonObject(report.getString("labels")).forEach(label -> state.putLabels(label.getKey(), String.valueOf(label.getValue())));
            }
        }
        if (latest != null) {
            state.setLastHeartbeatAt(EngineMapping.timestamp(latest));
        }
        return state.setOnline(!relays.isEmpty()).addAllRelayIds(relays).setActiveFlowCount(flows).build();
    }
}
