package dev.zerogate.policy.store;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The connector_reports table: each relay's latest report of the connectors it holds, one row per connector. */
@ApplicationScoped
public class ConnectorReportStore {

    /**
     * One relay's word on one connector.
     *
     * @param relayId the relay
     * @param connectorId the connector
     * @param lastHeartbeatAt the connector's last heartbeat at that relay
     * @param offlineAfter how long after a heartbeat that relay counts the connector offline
     * @param version the connector's version from its Hello
     * @param labels the connector's labels from its Hello, in the order reported
     * @param activeFlowCount flows open through it at that relay
     */
    public record Report(String relayId, String connectorId, Instant lastHeartbeatAt, Duration offlineAfter, String version,
                      Map<String, String> labels, int activeFlowCount) {}

    private final Pool pool;

    ConnectorReportStore(Pool pool) {
        this.pool = pool;
    }

    /** Replaces every row of {@code relayId} with {@code reports}, in one transaction. */
    public Uni<Void> replace(String relayId, List<Report> reports, Instant reportedAt) {
        OffsetDateTime now = OffsetDateTime.ofInstant(reportedAt, ZoneOffset.UTC);
        List<Tuple> tuples = new ArrayList<>();
        for (Report row : reports) {
            tuples.add(Tuple.tuple(List.of(UUID.fromString(relayId), UUID.fromString(row.connectorId()),
                    OffsetDateTime.ofInstant(row.lastHeartbeatAt(), ZoneOffset.UTC), row.offlineAfter().toMillis(), row.version(),
                    new JsonObject(new HashMap<>(row.labels())).encode(), row.activeFlowCount(), now)));
        }
        return pool.withTransaction(conn -> conn.preparedQuery("DELETE FROM connector_reports WHERE relay_id = $1")
                .execute(Tuple.of(UUID.fromString(relayId)))
                .chain(() -> tuples.isEmpty() ? Uni.createFrom().voidItem() : conn.preparedQuery("INSERT INTO connector_reports "
                                + "(relay_id, connector_id, last_heartbeat_at, offline_after_ms, version, labels, active_flow_count, reported_at) "
                                + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                        .executeBatch(tuples).replaceWithVoid()));
    }

    /** Every relay's row for each of {@code connectorIds}, by connector id. */
    public Uni<Map<String, List<Report>>> rowsOf(Collection<String> connectorIds) {
        if (connectorIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        UUID[] ids = connectorIds.stream().map(UUID::fromString).toArray(UUID[]::new);
        return pool.preparedQuery("SELECT relay_id, connector_id, last_heartbeat_at, offline_after_ms, version, labels, "
                        + "active_flow_count FROM connector_reports WHERE connector_id = ANY($1)")
                .execute(Tuple.of(ids)).map(rows -> {
                    Map<String, List<Report>> byConnector = new HashMap<>();
                    for (Row row : rows) {
                        Map<String, String> labels = new LinkedHashMap<>();
                        new JsonObject(row.getString("labels")).forEach(label -> labels.put(label.getKey(), String.valueOf(label.getValue())));
                        Report report = new Report(row.getUUID("relay_id").toString(), row.getUUID("connector_id").toString(),
                                row.getOffsetDateTime("last_heartbeat_at").toInstant(), Duration.ofMillis(row.getLong("offline_after_ms")),
                                row.getString("version"), labels, row.getInteger("active_flow_count"));
                        byConnector.computeIfAbsent(report.connectorId(), id -> new ArrayList<>()).add(report);
                    }
                    return byConnector;
                });
    }
}
