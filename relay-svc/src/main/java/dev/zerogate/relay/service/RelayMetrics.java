package dev.zerogate.relay.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the relay counts: sessions paired and open, bytes spliced, every refused connection
 * or preamble by its named reason (the {@code reason} label), and its reports to policy-svc.
 */
@ApplicationScoped
public class RelayMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();
    private final AtomicInteger openSessions = new AtomicInteger();
    private final AtomicLong splicedBytes = new AtomicLong();
    private final Counter paired;
    private final Counter reportsOk;
    private final Counter reportsFailed;

    RelayMetrics(MeterRegistry registry, ConnectorRegistry connectors) {
        this.registry = registry;
        registry.gauge("zerogate_relay_sessions_open", openSessions);
        registry.gauge("zerogate_relay_connectors_registered", connectors, ConnectorRegistry::count);
        registry.more().counter("zerogate_relay_spliced_bytes", java.util.List.of(), splicedBytes);
        this.paired = registry.counter("zerogate_relay_sessions_paired");
        this.reportsOk = registry.counter("zerogate_relay_connector_reports", "outcome", "ok");
        this.reportsFailed = registry.counter("zerogate_relay_connector_reports", "outcome", "failed");
    }

    /** A connection or preamble refused, by reason (e.g. {@code unauthenticated}, {@code handshake_timeout}). */
    public void refused(String reason) {
        refusals.computeIfAbsent(reason, r -> registry.counter("zerogate_relay_refused", "reason", r)).increment();
    }

    public double refusedCount(String reason) {
        Counter counter = refusals.get(reason);
        return counter == null ? 0 : counter.count();
    }

    public void sessionPaired() {
        paired.increment();
        openSessions.incrementAndGet();
    }

    public void sessionClosed() {
        openSessions.decrementAndGet();
    }

    /** A report to policy-svc answered ({@code ok}) or failed: {@code zerogate_relay_connector_reports{outcome}}. */
    public void reported(boolean ok) {
        (ok ? reportsOk : reportsFailed).increment();
    }

    public void spliced(long bytes) {
        splicedBytes.addAndGet(bytes);
    }
}
