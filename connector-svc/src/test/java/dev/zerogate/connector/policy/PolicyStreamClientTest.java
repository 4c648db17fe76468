package dev.zerogate.connector.policy;

import static dev.zerogate.connector.policy.Events.ALICE;
import static dev.zerogate.connector.policy.Events.BOB;
import static dev.zerogate.connector.policy.Events.CONNECTOR;
import static dev.zerogate.connector.policy.Events.FAMILY;
import static dev.zerogate.connector.policy.Events.LAN;
import static dev.zerogate.connector.policy.Events.NETWORK;
import static dev.zerogate.connector.policy.Events.at;
import static dev.zerogate.connector.policy.Events.begin;
import static dev.zerogate.connector.policy.Events.deleteResource;
import static dev.zerogate.connector.policy.Events.end;
import static dev.zerogate.connector.policy.Events.homeLab;
import static dev.zerogate.connector.policy.Events.keepAlive;
import static dev.zerogate.connector.policy.Events.lan;
import static dev.zerogate.connector.policy.Events.localGroup;
import static dev.zerogate.connector.policy.Events.resync;
import static dev.zerogate.connector.policy.Events.snapshot;
import static dev.zerogate.connector.policy.Events.upsert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.zerogate.proto.policy.v1.SubscriberKind;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stream client against a real gRPC server on loopback that serves scripted WatchPolicy streams. */
@Timeout(60)
class PolicyStreamClientTest {

    static final PolicyStreamClient.Settings FAST = new PolicyStreamClient.Settings(Duration.ofMillis(40), Duration.ofMillis(200),
            Duration.ofSeconds(30));

    final ScriptedPolicyServer server = new ScriptedPolicyServer();
    final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port).usePlaintext().build();
    final PolicyMirror mirror = new PolicyMirror();
    final AtomicInteger tokensIssued = new AtomicInteger();
    final Supplier<String> rotatingToken = () -> "token-" + tokensIssued.incrementAndGet();
    PolicyStreamClient client;

    @AfterEach
    void stop() throws InterruptedException {
        if (client != null) {
            client.close();
        }
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }

    PolicyStreamClient start(Supplier<String> token, PolicyStreamClient.Settings settings) {
        client = new PolicyStreamClient(channel, CONNECTOR, NETWORK, token, mirror, settings);
        client.start();
        return client;
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        if (!within(5, condition)) {
            fail("not within 5 s: " + what);
        }
    }

    static boolean within(int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    @Test
    void subscribesAsThisConnectorAndResumesAfterItsPositionWithTheTokenCurrentAtEachCall() throws InterruptedException {
        start(rotatingToken, FAST);
        ScriptedPolicyServer.Call first = server.nextCall();
        assertEquals(SubscriberKind.SUBSCRIBER_KIND_CONNECTOR, first.request.getSubscriberKind());
        assertEquals(CONNECTOR, first.request.getSubscriberId());
        assertEquals(List.of(NETWORK), first.request.getRemoteNetworkIdsList());
        assertEquals(0, first.request.getResumeAfterSequence(), "the first call asks for a snapshot");
        assertEquals("Bearer token-1", first.authorization);
        assertFalse(client.isSynced(), "no flows before the first snapshot");

        List<PolicyView> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        mirror.addListener(seen::add);
        first.send(homeLab(10));
        await("synced", client::isSynced);
        first.send(at(11, localGroup(FAMILY, ALICE, BOB)));
        first.send(at(14, deleteResource(LAN)));
        await("position 14", () -> client.position() == 14);
        assertEquals(List.of(10L, 11L, 14L), seen.stream().map(PolicyView::position).toList(), "listeners hear every change");
        first.fail(Status.UNAVAILABLE.withDescription("this replica is shutting down: reconnect and resume"));

        ScriptedPolicyServer.Call second = server.nextCall();
        assertEquals(14, second.request.getResumeAfterSequence(), "resumes after the last change applied");
        assertEquals("Bearer token-2", second.authorization, "a rotated token is used on the next call");
        assertTrue(client.isSynced(), "the copy stays in force while reconnecting");
        second.send(at(14, upsert(lan())));
        second.send(keepAlive(30));
        await("head 30", () -> client.headSequence() == 30);
        assertTrue(mirror.view().resource(LAN).isEmpty(), "a repeated change is not applied twice");
        assertEquals(14, client.position());
    }

    @Test
    void resyncRequiredAsksForANewSnapshotAtOnceAndKeepsTheCopyMeanwhile() throws InterruptedException {
        start(rotatingToken, new PolicyStreamClient.Settings(Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofSeconds(30)));
        ScriptedPolicyServer.Call first = server.nextCall();
        first.send(homeLab(10));
        first.send(resync(500));
        long ended = System.nanoTime();
        first.complete();

        ScriptedPolicyServer.Call second = server.nextCall();
        assertTrue(second.arrivedNanos - ended < TimeUnit.MILLISECONDS.toNanos(1500), "not after the 1.5-3 s backoff");
        assertEquals(0, second.request.getResumeAfterSequence());
        assertTrue(client.isSynced());
        assertEquals(Set.of(Events.PIHOLE, LAN, Events.LAB), mirror.view().resources().keySet(), "the old copy until the new one is complete");
        second.send(snapshot(500, upsert(lan())));
        await("position 500", () -> client.position() == 500);
        assertEquals(Set.of(LAN), mirror.view().resources().keySet());
    }

    @Test
    void aStreamThatBreaksTheProtocolIsDroppedAndTheSnapshotAskedForAgain() throws InterruptedException {
        start(rotatingToken, FAST);
        ScriptedPolicyServer.Call first = server.nextCall();
        first.send(List.of(begin(10, 2), at(1, upsert(lan())), end(10, 2)));
        assertTrue(first.cancelledByClient(), "the client ends a call that broke the protocol");
        ScriptedPolicyServer.Call second = server.nextCall();
        assertEquals(0, second.request.getResumeAfterSequence());
        assertFalse(client.isSynced(), "an incomplete snapshot is never in force");
        second.send(snapshot(10, upsert(lan())));
        await("synced", client::isSynced);
    }

    @Test
    void aSilentStreamIsDroppedAfterTheIdleTimeoutAndResumed() throws InterruptedException {
        // The server answers at once: on a busy machine the test thread could be slower than the idle timeout.
        server.answerSnapshotCallsWith(homeLab(10));
        start(rotatingToken, new PolicyStreamClient.Settings(Duration.ofMillis(40), Duration.ofMillis(200), Duration.ofMillis(500)));
        await("synced", client::isSynced);
        ScriptedPolicyServer.Call call;
        do {
            call = server.nextCall();
        } while (call.request.getResumeAfterSequence() == 0);
        assertEquals(10, call.request.getResumeAfterSequence(), "a silent call was dropped and the next resumes");
    }

    @Test
    void withoutATokenItTriesAgainLaterAndReadsTheTokenPerCall() throws InterruptedException {
        AtomicInteger asked = new AtomicInteger();
        start(() -> switch (asked.incrementAndGet()) {
            case 1 -> null;
            case 2 -> throw new IllegalStateException("no credentials yet");
            default -> "token-" + asked.get();
        }, FAST);
        ScriptedPolicyServer.Call first = server.nextCall();
        assertEquals("Bearer token-3", first.authorization);
        first.fail(Status.UNAUTHENTICATED.withDescription("access token refused: expired"));
        assertEquals("Bearer token-4", server.nextCall().authorization);
    }

    @Test
    void failuresWithoutProgressBackOffLongerEachTime() throws InterruptedException {
        start(rotatingToken, new PolicyStreamClient.Settings(Duration.ofMillis(100), Duration.ofMillis(800), Duration.ofSeconds(30)));
        ScriptedPolicyServer.Call call = server.nextCall();
        long[] gaps = new long[4];
        for (int i = 0; i < gaps.length; i++) {
            long failed = System.nanoTime();
            call.fail(Status.UNAVAILABLE);
            call = server.nextCall();
            gaps[i] = TimeUnit.NANOSECONDS.toMillis(call.arrivedNanos - failed);
        }
        // Delays are drawn between half and all of 100, 200, 400, 800 ms.
        assertTrue(gaps[0] >= 45 && gaps[1] >= 95 && gaps[2] >= 195 && gaps[3] >= 395, java.util.Arrays.toString(gaps));
    }

    @Test
    void closeEndsTheCallAndMakesNoMore() throws InterruptedException {
        start(rotatingToken, FAST);
        ScriptedPolicyServer.Call first = server.nextCall();
        first.send(homeLab(10));
        await("synced", client::isSynced);
        client.close();
        assertTrue(first.cancelledByClient());
        assertTrue(server.noCallWithin(500));
        assertTrue(mirror.isSynced(), "the mirror keeps its last copy");
    }
}
