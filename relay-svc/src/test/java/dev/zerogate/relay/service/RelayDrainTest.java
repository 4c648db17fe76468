package dev.zerogate.relay.service;

import dev.zerogate.proto.relay.v1.DrainReason;
import dev.zerogate.proto.relay.v1.RelayMessage;
import dev.zerogate.testkit.StreamRecorder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The relay's shutdown drain over a real registry; each connector's control stream is recorded. */
class RelayDrainTest {

    private static final String NETWORK = "8d5e0f5c-7f39-4a43-9f3e-0d8f3a1b2c4d";

    @Test
    void everyConnectorIsToldNoSessionGoesToItAnyMoreAndTheStreamsEndOkAtTheDeadline() throws Exception {
        ConnectorRegistry registry = new ConnectorRegistry();
        StreamRecorder<RelayMessage> leavingStream = new StreamRecorder<>(message -> message);
        StreamRecorder<RelayMessage> silentStream = new StreamRecorder<>(message -> message);
        ConnectorRegistry.Registration leaving = new ConnectorRegistry.Registration("c-leaving", NETWORK, "0.1.0", Map.of(),
                leavingStream, Instant.now());
        ConnectorRegistry.Registration silent = new ConnectorRegistry.Registration("c-silent", NETWORK, "0.1.0", Map.of(),
                silentStream, Instant.now());
        registry.register(leaving);
        registry.register(silent);
        Instant now = Instant.parse("2026-12-06T12:00:00Z");

        CompletableFuture<Integer> drained = CompletableFuture.supplyAsync(() -> {
            try {
                return RelayDrain.drainAll(registry, "relay-1", now, Duration.ofMillis(500));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        RelayMessage drain = (RelayMessage) silentStream.received().poll(5, TimeUnit.SECONDS);
        assertEquals(DrainReason.DRAIN_REASON_RELAY_SHUTDOWN, drain.getDrain().getReason());
        assertEquals(now.plusMillis(500).getEpochSecond(), drain.getDrain().getDeadline().getSeconds());
        assertEquals(now.plusMillis(500).getNano(), drain.getDrain().getDeadline().getNanos());
        assertTrue(drain.getDrain().getMessage().contains("relay-1"), drain.toString());
        assertTrue(registry.pick(NETWORK, "").isEmpty(), "no new session goes to a draining connector");
        assertTrue(registry.pick(NETWORK, "c-silent").isEmpty(), "not even to the one a client prefers");
        assertTrue(registry.isClosedToConnectors(), "no connector may register any more");

        leaving.end(null); // what the control stream does when the connector half-closes after DrainAck
        assertEquals(1, drained.get(5, TimeUnit.SECONDS), "one connector left before the deadline");
        assertEquals(List.of(StreamRecorder.COMPLETED), List.copyOf(silentStream.received()), "after the Drain, the silent one's stream ended OK at the deadline");
        assertEquals(List.of(drain, StreamRecorder.COMPLETED), List.copyOf(leavingStream.received()));
    }

    @Test
    void aRelayWithoutConnectorsExitsWithoutWaiting() throws Exception {
        ConnectorRegistry registry = new ConnectorRegistry();
        long started = System.nanoTime();
        assertEquals(0, RelayDrain.drainAll(registry, "relay-1", Instant.now(), Duration.ofSeconds(30)));
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(10), "did not wait out the 30 s");
        assertTrue(registry.isClosedToConnectors());
    }
}
