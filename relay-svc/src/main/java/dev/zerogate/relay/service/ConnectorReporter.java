package dev.zerogate.relay.service;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.zerogate.proto.policy.v1.ConnectorReport;
import dev.zerogate.proto.policy.v1.ReportConnectorsRequest;
import dev.zerogate.relay.RelayIdentity;
import dev.zerogate.relay.client.ConnectorStateClient;
import dev.zerogate.relay.config.RelayConfig;
import dev.zerogate.relay.service.ConnectorRegistry.Registration;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Tells policy-svc which connectors this relay holds ({@code ConnectorStateService.ReportConnectors}),
 * so that admins see them online: every {@code zerogate.relay.report-interval}, shortly after a
 * connector registers or goes away (changes within {@link #DEBOUNCE} make one report), and once
 * more with an empty list when the relay shuts down cleanly.
 *
 * <p>Guarantees: at most one report is in flight, and a change seen while one is makes another
 * right after it, so policy-svc (which replaces a relay's report with each one) never ends with
 * an older report than the newest sent. A failed report is logged and simply replaced by the
 * next. Nothing here blocks an event loop: timers only start calls whose answers arrive later.
 * Without the relay's service-account credentials nothing is reported (a warning at start).
 */
@ApplicationScoped
public class ConnectorReporter {

    /** Registrations and removals within this time of the first make one report. */
    static final java.time.Duration DEBOUNCE = java.time.Duration.ofMillis(500);
    /** How long shutdown waits for the report in flight and then for the empty one. */
    static final java.time.Duration SHUTDOWN_WAIT = java.time.Duration.ofSeconds(5);
    /** policy-svc's limits (ConnectorReport, ReportConnectorsRequest). */
    static final int MAX_CONNECTORS = 1000;
    private static final int MAX_LABEL_KEY = 63;
    private static final int MAX_LABEL_VALUE = 255;

    private final ConnectorRegistry registry;
    private final ConnectorStateClient client;
    private final RelayIdentity identity;
    private final RelayConfig config;
    private final RelayMetrics metrics;
    private final Vertx vertx;

    private final Object lock = new Object();
    /** Guarded by {@code lock}: a report is in flight; another is due after it; shutdown began; timers. */
    private boolean sending;
    private boolean again;
    private boolean stopped;
    private long debounceTimer = -1;
    private long periodicTimer = -1;
    /** Guarded by {@code lock}: completes when the report in flight is answered. */
    private CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);
    /** The last failure logged as a warning, so that a long outage is one warning, not one per tick. */
    private volatile String lastFailure;

    ConnectorReporter(ConnectorRegistry registry, ConnectorStateClient client, RelayIdentity identity, RelayConfig config,
                      RelayMetrics metrics, Vertx vertx) {
        this.registry = registry;
        this.client = client;
        this.identity = identity;
        this.config = config;
        this.metrics = metrics;
        this.vertx = vertx;
    }

    void onStart(@Observes StartupEvent event) {
        if (!client.configured()) {
            Log.warn("ZEROGATE_RELAY_IDENTITY_CLIENT_ID and ZEROGATE_RELAY_IDENTITY_CLIENT_SECRET (zerogate.relay.identity.client-id "
                    + "and client-secret, a key of the relay's service account) are not set: this relay does not report its "
                    + "connectors to policy-svc, which shows them offline");
            return;
        }
        registry.onChange(this::changed);
        synchronized (lock) {
            periodicTimer = vertx.setPeriodic(config.reportInterval().toMillis(), id -> reportNow());
        }
        Log.infof("reporting connectors to policy-svc as relay %s every %s", identity.uuid(), config.reportInterval());
        java.time.Duration offlineAfter = ConnectorRegistry.offlineAfter(config.limits().heartbeatInterval());
        if (config.reportInterval().compareTo(offlineAfter) >= 0) {
            Log.warnf("zerogate.relay.report-interval (%s) is not shorter than offline_after (%s): policy-svc shows "
                    + "connectors offline between reports", config.reportInterval(), offlineAfter);
        }
        reportNow(); // at once: replaces whatever this relay reported before it last stopped
    }

    /** A connector registered or went away: report soon, once for a burst of changes. */
    void changed() {
        synchronized (lock) {
            if (stopped || debounceTimer >= 0) {
                return;
            }
            debounceTimer = vertx.setTimer(DEBOUNCE.toMillis(), id -> {
                synchronized (lock) {
                    debounceTimer = -1;
                }
                reportNow();
            });
        }
    }

    /** Reports now, or right after the report in flight. */
    void reportNow() {
        CompletableFuture<Void> done;
        synchronized (lock) {
            if (stopped) {
                return;
            }
            if (sending) {
                again = true;
                return;
            }
            sending = true;
            done = new CompletableFuture<>();
            inFlight = done;
        }
        send(request(registry.all())).whenComplete((ignored, failure) -> {
            boolean next;
            synchronized (lock) {
                sending = false;
                next = again && !stopped;
                again = false;
            }
            done.complete(null);
            if (next) {
                reportNow();
            }
        });
    }

    /** Sends one report; completes (never exceptionally) with whether policy-svc took it. */
    private CompletableFuture<Boolean> send(ReportConnectorsRequest request) {
        int count = request.getConnectorsCount();
        CompletableFuture<Boolean> answered = new CompletableFuture<>();
        try {
            client.report(request).subscribe().with(ok -> {
                metrics.reported(true);
                if (lastFailure != null) {
                    lastFailure = null;
                    Log.infof("reporting connectors to policy-svc works again (%d reported)", count);
                } else {
                    Log.debugf("reported %d connectors to policy-svc", count);
                }
                answered.complete(true);
            }, failure -> {
                failed(count, failure);
                answered.complete(false);
            });
        } catch (RuntimeException e) {
            failed(count, e);
            answered.complete(false);
        }
        return answered;
    }

    private void failed(int count, Throwable failure) {
        metrics.reported(false);
        // Status and exception messages name hosts and status codes, never the token or the secret.
        String description = failure.toString();
        if (!description.equals(lastFailure)) {
            lastFailure = description;
            Log.warnf("reporting %d connectors to policy-svc failed (%s); trying again every %s", count, description,
                    config.reportInterval());
        } else {
            Log.debugf("reporting %d connectors to policy-svc failed again (%s)", count, description);
        }
    }

    /**
     * The report of {@code registrations} (those still open), within policy-svc's limits: at most
     * {@link #MAX_CONNECTORS}, the most recently heard first; labels policy-svc would refuse are
     * left out rather than failing the whole report.
     */
    ReportConnectorsRequest request(List<Registration> registrations) {
        ReportConnectorsRequest.Builder request = ReportConnectorsRequest.newBuilder()
                .setRelayId(identity.uuid())
                .setOfflineAfter(Duration.newBuilder()
                        .setSeconds(ConnectorRegistry.offlineAfter(config.limits().heartbeatInterval()).toSeconds()));
        registrations.stream().filter(r -> !r.isEnded())
                .sorted(Comparator.comparing((Registration r) -> r.lastHeartbeat).reversed())
                .limit(MAX_CONNECTORS)
                .forEach(r -> request.addConnectors(report(r)));
        return request.build();
    }

    static ConnectorReport report(Registration registration) {
        Instant heard = registration.lastHeartbeat;
        ConnectorReport.Builder report = ConnectorReport.newBuilder()
                .setConnectorId(registration.connectorId)
                .setLastHeartbeatAt(Timestamp.newBuilder().setSeconds(heard.getEpochSecond()).setNanos(heard.getNano()))
                .setVersion(registration.version)
                .setActiveFlowCount(Math.max(0, registration.activeFlows));
        for (Map.Entry<String, String> label : registration.labels.entrySet()) {
            if (!label.getKey().isEmpty() && label.getKey().length() <= MAX_LABEL_KEY && label.getValue().length() <= MAX_LABEL_VALUE) {
                report.putLabels(label.getKey(), label.getValue());
            }
        }
        return report.build();
    }

    /** Clean shutdown: no more reports, then an empty one, so policy-svc shows this relay's connectors offline at once. */
    void onStop(@Observes ShutdownEvent event) {
        CompletableFuture<Void> pending;
        synchronized (lock) {
            if (stopped) {
                return;
            }
            stopped = true;
            if (periodicTimer >= 0) {
                vertx.cancelTimer(periodicTimer);
            }
            if (debounceTimer >= 0) {
                vertx.cancelTimer(debounceTimer);
            }
            pending = inFlight;
        }
        if (!client.configured()) {
            return;
        }
        try {
            // The report in flight must not land after the empty one.
            pending.get(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (send(request(List.of())).get(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                Log.infof("reported to policy-svc that relay %s holds no connectors any more", identity.uuid());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            Log.warnf("the last report to policy-svc (no connectors) was not answered within %s", SHUTDOWN_WAIT);
        }
    }
}
