package dev.zerogate.relay.service;

import com.google.protobuf.Timestamp;
import dev.zerogate.proto.relay.v1.Drain;
import dev.zerogate.proto.relay.v1.DrainReason;
import dev.zerogate.proto.relay.v1.RelayMessage;
import dev.zerogate.relay.RelayIdentity;
import dev.zerogate.relay.config.RelayConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The relay's graceful exit (contract step 5): every registered connector gets Drain, so it
 * stops expecting flows here and registers with another relay at once instead of finding out
 * from a broken stream and backing off. The relay waits up to
 * {@code zerogate.relay.limits.drain-wait} for them to acknowledge and leave, then ends the
 * remaining streams with OK. Sessions already spliced end when the process does; their
 * clients open a new session on their next flow.
 */
@ApplicationScoped
public class RelayDrain {

    private static final long POLL_MILLIS = 20;

    private final ConnectorRegistry registry;
    private final RelayIdentity identity;
    private final RelayConfig config;
    private final Clock clock;

    RelayDrain(ConnectorRegistry registry, RelayIdentity identity, RelayConfig config, Clock clock) {
        this.registry = registry;
        this.identity = identity;
        this.config = config;
        this.clock = clock;
    }

    // Before the other shutdown observers (ConnectorReporter's last report, the public port's close).
    void onShutdown(@Observes @Priority(1) ShutdownEvent event) throws InterruptedException {
        drainAll(registry, identity.id(), clock.instant(), config.limits().drainWait());
    }

    /** Drains every connector of {@code registry}; returns how many left on their own within {@code wait}. */
    static int drainAll(ConnectorRegistry registry, String relayName, Instant now, Duration wait) throws InterruptedException {
        Instant deadline = now.plus(wait);
        RelayMessage drain = RelayMessage.newBuilder().setDrain(Drain.newBuilder()
                .setReason(DrainReason.DRAIN_REASON_RELAY_SHUTDOWN)
                .setMessage("relay " + relayName + " is shutting down")
                .setDeadline(Timestamp.newBuilder().setSeconds(deadline.getEpochSecond()).setNanos(deadline.getNano())))
                .build();
        List<ConnectorRegistry.Registration> drained = registry.drainAll(drain);
        if (drained.isEmpty()) {
            return 0;
        }
        Log.infof("draining %d connectors (waiting up to %d ms)", drained.size(), wait.toMillis());
        long waitUntil = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < waitUntil && !drained.stream().allMatch(ConnectorRegistry.Registration::isEnded)) {
            Thread.sleep(POLL_MILLIS);
        }
        int left = (int) drained.stream().filter(ConnectorRegistry.Registration::isEnded).count();
        for (ConnectorRegistry.Registration registration : drained) {
            registration.end(null); // OK: the contract's end of a drained stream
        }
        Log.infof("drained: %d of %d connectors left before the deadline", left, drained.size());
        return left;
    }
}
