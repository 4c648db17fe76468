package dev.zerogate.bench.tunnel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One way for a TCP flow to get from a client to a far end: a row of {@code ./bench tunnel}.
 *
 * <p>To add a path, implement this and list it in {@link TunnelBench#paths()}. The harness calls
 * {@link #unavailable()}, then {@link #start} once, measures through the address it returns, and
 * always calls {@link #close()} afterwards (also when {@code start} threw). Processes a path
 * starts go through {@link Children} so that Ctrl-C stops them too.
 */
public interface TunnelPath extends AutoCloseable {

    /** The row's name in the table. */
    String name();

    /**
     * Why this path cannot run on this machine, with how to fix it (e.g. the package to
     * install); empty when it can. A path that is unavailable is skipped with that line.
     */
    default Optional<String> unavailable() {
        return Optional.empty();
    }

    /**
     * True for an off-the-shelf baseline; false for a zerogate path, whose row is then checked
     * against the targets (throughput at least the stunnel → haproxy → stunnel row's, new flow
     * p50 ≤ 1 ms and p99 ≤ 5 ms).
     */
    default boolean baseline() {
        return true;
    }

    /**
     * Starts the path in front of {@code farEnd} (a plain TCP server on loopback) and returns
     * the address a client connects to; a flow opened there must reach {@code farEnd} as one TCP
     * connection carrying the same bytes both ways. Returns only when the path accepts flows;
     * bounded in time (throws rather than waits forever).
     */
    InetSocketAddress start(InetSocketAddress farEnd) throws Exception;

    /** Facts for the footnotes once started (e.g. the negotiated TLS cipher suite); may be empty. */
    default List<String> notes() {
        return List.of();
    }

    /**
     * The path's own processes by role, in the order they are passed through (e.g. "client" →
     * pid), once started: the harness reports the CPU each spends per GB moved
     * ({@link CpuPerGigabyte}). Empty (the default) for a path without processes of its own.
     */
    default Map<String, Long> processes() throws IOException {
        return Map.of();
    }

    /**
     * Figures only this path has, measured after the table's (e.g. a zerogate path's first-flow
     * latency and memory with many idle flows), each a printable line; none by default.
     */
    default List<String> extraFigures() throws Exception {
        return List.of();
    }

    /** Stops everything {@link #start} started and removes its files; safe to call more than once. */
    @Override
    void close();
}
