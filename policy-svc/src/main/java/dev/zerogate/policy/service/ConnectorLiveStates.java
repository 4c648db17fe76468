package dev.zerogate.policy.service;

import dev.zerogate.policy.ConnectorLiveness;
import dev.zerogate.policy.store.ConnectorReportStore;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

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

    /**
     * What a relay says about one connector it holds.
     *
     * @param connectorId the connector
     * @param lastHeartbeatAt its last heartbeat at the relay; required
     * @param version its version from its Hello, at most 64 characters
     * @param labels its labels from its Hello, at most 32
     * @param activeFlowCount flows open through it at the relay
     */
    public record Report(String connectorId, Optional<Instant> lastHeartbeatAt, String version, Map<String, String> labels,
                         int activeFlowCount) {}

    private final ConnectorReportStore store;
    private final Clock clock;

    ConnectorLiveStates(ConnectorReportStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Replaces {@code relayId}'s report; connectors policy-svc does not know are left out. */
    public Uni<Void> report(String relayId, Duration offlineAfter, List<Report> connectors, Set<String> knownConnectors) {
        Requests.id(relayId, "relay_id");
        if (offlineAfter.compareTo(MIN_OFFLINE_AFTER) < 0 || offlineAfter.compareTo(MAX_OFFLINE_AFTER) > 0) {
            throw PolicyError.invalid("offline_after", "must be 1 s to 10 min");
        }
        if (connectors.size() > MAX_CONNECTORS_PER_REPORT) {
            throw PolicyError.invalid("connectors", "has " + connectors.size() + " entries; at most " + MAX_CONNECTORS_PER_REPORT);
        }
        List<ConnectorReportStore.Report> rows = new ArrayList<>();
        for (int i = 0; i < connectors.size(); i++) {
            Report report = connectors.get(i);
            String field = "connectors[" + i + "]";
            Requests.id(report.connectorId(), field + ".connector_id");
            check(report, field);
            if (!knownConnectors.contains(report.connectorId())) {
                continue;
            }
            rows.add(new ConnectorReportStore.Report(relayId, report.connectorId(), report.lastHeartbeatAt().orElseThrow(), offlineAfter,
                    report.version(), report.labels(), report.activeFlowCount()));
        }
        return store.replace(relayId, rows, clock.instant());
    }

    private static void check(Report report, String field) {
        if (report.lastHeartbeatAt().isEmpty()) {
            throw PolicyError.invalid(field + ".last_heartbeat_at", "is required");
        }
        if (report.version().length() > 64) {
            throw PolicyError.invalid(field + ".version", "is longer than 64 characters");
        }
        if (report.labels().size() > MAX_LABELS) {
            throw PolicyError.invalid(field + ".labels", "has more than " + MAX_LABELS + " entries");
        }
        report.labels().forEach((key, value) -> {
            if (key.isEmpty() || key.length() > 63 || value.length() > 255) {
                throw PolicyError.invalid(field + ".labels", "keys must be 1 to 63 characters and values at most 255");
            }
        });
    }

    /** The live state of each of {@code connectorIds}; connectors no relay reported are left out (never seen). */
    public Uni<Map<String, ConnectorLiveness>> of(Collection<String> connectorIds) {
        return store.rowsOf(connectorIds).map(byConnector -> {
            Instant now = clock.instant();
            Map<String, ConnectorLiveness> states = new HashMap<>();
            byConnector.forEach((id, reports) -> states.put(id, merge(reports, now)));
            return states;
        });
    }

    private static ConnectorLiveness merge(List<ConnectorReportStore.Report> reports, Instant now) {
        Instant latest = null;
        String version = "";
        Map<String, String> labels = Map.of();
        Set<String> relays = new TreeSet<>();
        int flows = 0;
        for (ConnectorReportStore.Report report : reports) {
            Instant heartbeat = report.lastHeartbeatAt();
            boolean online = heartbeat.plus(report.offlineAfter()).isAfter(now);
            if (online) {
                relays.add(report.relayId());
                flows += report.activeFlowCount();
            }
            if (latest == null || heartbeat.isAfter(latest)) {
                latest = heartbeat;
                version = report.version();
                labels = report.labels();
            }
        }
        return new ConnectorLiveness(!relays.isEmpty(), Optional.ofNullable(latest), version, labels, List.copyOf(relays), flows);
    }
}
