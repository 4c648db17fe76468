package dev.zerogate.relay.service;

import dev.zerogate.proto.relay.v1.RelayMessage;
import io.grpc.stub.StreamObserver;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

/** The connectors registered with this relay right now, by id and by network. */
@ApplicationScoped
public class ConnectorRegistry {

    /** One connector's control stream. Sending is serialised: gRPC observers are not thread-safe. */
    public static final class Registration {
        public final String connectorId;
        public final String networkId;
        public final String version;
        public final Map<String, String> labels;
        private final StreamObserver<RelayMessage> out;
        public volatile float load;
        public volatile int activeFlows;
        public volatile Instant lastHeartbeat;
        /** Sent Drain: no new sessions go to it. */
        public volatile boolean draining;
        private boolean ended;

        public Registration(String connectorId, String networkId, String version, Map<String, String> labels,
                            StreamObserver<RelayMessage> out, Instant now) {
            this.connectorId = connectorId;
            this.networkId = networkId;
            this.version = version;
            this.labels = Map.copyOf(labels);
            this.out = out;
            this.lastHeartbeat = now;
        }

        /** Sends a message unless the stream ended; false if it had. */
        public synchronized boolean send(RelayMessage message) {
            if (ended) {
                return false;
            }
            try {
                out.onNext(message);
                return true;
            } catch (RuntimeException e) {
                ended = true;
                return false;
            }
        }

        /** Ends the stream with a status (once). */
        public synchronized void end(Throwable status) {
            if (!ended) {
                ended = true;
                try {
                    if (status == null) {
                        out.onCompleted();
                    } else {
                        out.onError(status);
                    }
                } catch (RuntimeException ignored) {
                    // the call is already gone
                }
            }
        }

        public synchronized boolean isEnded() {
            return ended;
        }

        /** Whether a new session of {@code network} may go to it: that network, stream open, not draining. */
        boolean takesSessionsOf(String network) {
            return networkId.equals(network) && !isEnded() && !draining;
        }
    }

    private final Map<String, Registration> byId = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean closedToConnectors;

    /**
     * After how long without a heartbeat a connector counts as offline: three heartbeat
     * intervals. Told to connectors in Welcome and to policy-svc in every report.
     */
    public static Duration offlineAfter(Duration heartbeatInterval) {
        return heartbeatInterval.multipliedBy(3);
    }

    /**
     * Calls {@code listener} after every registration and every removal, on the thread that made
     * it; it must return quickly and never block.
     */
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** Registers {@code registration}; returns the one it replaces (same connector id), if any. */
    public Optional<Registration> register(Registration registration) {
        Optional<Registration> replaced = Optional.ofNullable(byId.put(registration.connectorId, registration));
        changed();
        return replaced;
    }

    /** Forgets {@code registration} unless a newer one replaced it already. */
    public void unregister(Registration registration) {
        if (byId.remove(registration.connectorId, registration)) {
            changed();
        }
    }

    private void changed() {
        listeners.forEach(Runnable::run);
    }

    /**
     * Sends {@code drain} to every registered connector and marks it draining (no new sessions
     * go to it); from now on no connector may register. For the relay's shutdown.
     */
    public List<Registration> drainAll(RelayMessage drain) {
        closedToConnectors = true;
        List<Registration> drained = all();
        for (Registration registration : drained) {
            registration.draining = true;
            registration.send(drain);
        }
        return drained;
    }

    /** True once {@link #drainAll} ran: Hello is answered UNAVAILABLE. */
    public boolean isClosedToConnectors() {
        return closedToConnectors;
    }

    public int count() {
        return byId.size();
    }

    public Optional<Registration> byId(String connectorId) {
        return Optional.ofNullable(byId.get(connectorId));
    }

    public List<Registration> all() {
        return List.copyOf(byId.values());
    }

    /**
     * The connector of {@code networkId} a new session goes to: the preferred one when it is
     * registered here, else the least loaded (random among equals, so sessions spread). Never
     * one that is draining.
     */
    public Optional<Registration> pick(String networkId, String preferredConnectorId) {
        Registration preferred = preferredConnectorId.isEmpty() ? null : byId.get(preferredConnectorId);
        if (preferred != null && preferred.takesSessionsOf(networkId)) {
            return Optional.of(preferred);
        }
        List<Registration> candidates = byId.values().stream()
                .filter(r -> r.takesSessionsOf(networkId)).toList();
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        Comparator<Registration> byLoad = Comparator.<Registration>comparingDouble(r -> r.load)
                .thenComparingInt(r -> r.activeFlows);
        Registration best = candidates.stream().min(byLoad).orElseThrow();
        List<Registration> equals = candidates.stream().filter(r -> byLoad.compare(r, best) == 0).toList();
        return Optional.of(equals.get(ThreadLocalRandom.current().nextInt(equals.size())));
    }
}
