package dev.zerogate.tunnel;

import dev.zerogate.proto.tunnel.v1.OpenStream;
import dev.zerogate.proto.tunnel.v1.StreamOpened;
import dev.zerogate.proto.tunnel.v1.StreamRefuseReason;
import dev.zerogate.proto.tunnel.v1.StreamRefused;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RecordingEnd client = new RecordingEnd(Session.Role.CLIENT, now::get);
    private final RecordingEnd connector = new RecordingEnd(Session.Role.CONNECTOR, now::get);

    private static OpenStream open(String destination, int port) {
        return OpenStream.newBuilder().setGrant("g").setDestination(destination).setPort(port).setProtocol("tcp").build();
    }

    private void exchange() {
        for (int i = 0; i < 100 && (!client.wire.isEmpty() || !connector.wire.isEmpty()); i++) {
            client.deliverTo(connector);
            connector.deliverTo(client);
        }
    }

    @Test
    void streamsOpenWithOddIncreasingIdsAndCarryTheRequest() {
        int first = client.session.open(open("pihole.lan", 80));
        int second = client.session.open(open("nas.lan", 443));
        exchange();

        assertEquals(1, first);
        assertEquals(3, second);
        assertEquals("pihole.lan", connector.openRequests.get(1).getDestination());
        assertEquals(443, connector.openRequests.get(3).getPort());
    }

    @Test
    void acceptedStreamCarriesBytesBothWaysAndHalfClosesIndependently() {
        int id = client.session.open(open("pihole.lan", 80));
        byte[] request = "GET / HTTP/1.1\r\n\r\n".getBytes();
        client.session.send(id, ByteBuffer.wrap(request));
        client.session.finish(id);
        exchange();
        connector.session.accept(id, StreamOpened.newBuilder().setResolvedAddress("192.168.1.2").build());
        byte[] response = new byte[100_000];
        new Random(1).nextBytes(response);
        assertEquals(response.length, connector.session.send(id, ByteBuffer.wrap(response)));
        exchange();

        assertArrayEquals(request, connector.receivedOn(id));
        assertTrue(connector.events.contains("fin 1"));
        assertArrayEquals(response, client.receivedOn(id));
        assertTrue(client.events.contains("opened 1 192.168.1.2"));
        assertEquals(1, connector.session.openStreamCount(), "the connector may still send after the client's FIN");

        connector.session.finish(id);
        exchange();
        assertEquals(0, connector.session.openStreamCount());
        assertEquals(0, client.session.openStreamCount());
    }

    @Test
    void aSlowStreamStopsAtItsWindowWhileAnotherKeepsFlowing() {
        connector.consumeAtOnce = false; // the destination of stream 1 reads nothing
        int slow = client.session.open(open("slow.lan", 22));
        int fast = client.session.open(open("fast.lan", 22));
        exchange();

        byte[] big = new byte[TunnelProtocol.INITIAL_STREAM_WINDOW + 10_000];
        int taken = client.session.send(slow, ByteBuffer.wrap(big));
        exchange();
        assertEquals(TunnelProtocol.INITIAL_STREAM_WINDOW, taken, "no more than the window is sent");
        assertEquals(0, client.session.send(slow, ByteBuffer.wrap(new byte[1])));

        connector.consumeAtOnce = true;
        byte[] other = new byte[50_000];
        assertEquals(other.length, client.session.send(fast, ByteBuffer.wrap(other)));
        exchange();
        assertEquals(other.length, connector.receivedOn(fast).length);

        connector.session.consumed(slow, TunnelProtocol.INITIAL_STREAM_WINDOW);
        exchange();
        assertTrue(client.events.contains("writable 1"));
        assertEquals(TunnelProtocol.INITIAL_STREAM_WINDOW, client.session.sendWindow(slow));
    }

    @Test
    void dataBeyondTheWindowEndsTheSessionWithAFlowControlError() {
        connector.consumeAtOnce = false;
        int id = client.session.open(open("a.lan", 1));
        exchange();
        // A misbehaving client: frames written by hand, past its window.
        byte[] chunk = new byte[TunnelProtocol.MAX_FRAME_PAYLOAD];
        for (int sent = 0; sent <= TunnelProtocol.INITIAL_STREAM_WINDOW; sent += chunk.length) {
            connector.session.receive(FrameEncoder.frame(TunnelProtocol.DATA, id, ByteBuffer.wrap(chunk)));
        }
        assertTrue(connector.session.isClosed());
        assertTrue(connector.connectionClosed);
        assertTrue(connector.events.stream().anyMatch(e -> e.startsWith("closed FLOW_CONTROL_ERROR")), connector.events.toString());
        connector.deliverTo(client);
        assertTrue(client.events.stream().anyMatch(e -> e.startsWith("closed FLOW_CONTROL_ERROR by peer")), client.events.toString());
    }

    @Test
    void anAcceptedStreamIsWidenedSoItsPeerMaySendTheWideWindowButNotMore() {
        connector.consumeAtOnce = false;
        int id = client.session.open(open("a.lan", 1));
        exchange();
        connector.session.accept(id, StreamOpened.newBuilder().setResolvedAddress("10.0.0.1").build());
        exchange();
        assertEquals(TunnelProtocol.WIDE_STREAM_WINDOW, connector.session.receiveWindow(id));
        assertEquals(TunnelProtocol.WIDE_STREAM_WINDOW, client.session.receiveWindow(id), "the client widened its side too");

        byte[] big = new byte[TunnelProtocol.WIDE_STREAM_WINDOW + 10_000];
        int taken = client.session.send(id, ByteBuffer.wrap(big));
        exchange();
        assertEquals(TunnelProtocol.WIDE_STREAM_WINDOW, taken, "the wide window and no more");
        assertEquals(TunnelProtocol.WIDE_STREAM_WINDOW, connector.receivedOn(id).length);
        assertTrue(!connector.session.isClosed());
        // One byte past it, written by hand, is a violation.
        connector.session.receive(FrameEncoder.frame(TunnelProtocol.DATA, id, ByteBuffer.wrap(new byte[1])));
        assertTrue(connector.events.stream().anyMatch(e -> e.startsWith("closed FLOW_CONTROL_ERROR")), connector.events.toString());
    }

    @Test
    void wideningStopsAtTheSessionBudgetAndAClosedStreamGivesItsShareBack() {
        int extra = TunnelProtocol.WIDE_STREAM_WINDOW - TunnelProtocol.INITIAL_STREAM_WINDOW;
        int widenable = TunnelProtocol.SESSION_WIDENING_BUDGET / extra;
        int[] ids = new int[widenable + 1];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = client.session.open(open("a.lan", 1));
        }
        for (int i = 0; i < widenable; i++) {
            assertEquals(TunnelProtocol.WIDE_STREAM_WINDOW, client.session.receiveWindow(ids[i]), "stream " + ids[i]);
        }
        assertEquals(TunnelProtocol.INITIAL_STREAM_WINDOW, client.session.receiveWindow(ids[widenable]), "past the budget");

        client.session.reset(ids[0], ResetCode.CANCELLED, "done");
        int next = client.session.open(open("a.lan", 1));
        assertEquals(TunnelProtocol.WIDE_STREAM_WINDOW, client.session.receiveWindow(next));
    }

    @Test
    void refusalClosesTheStreamAndLateDataForItIsIgnored() {
        int id = client.session.open(open("10.9.9.9", 80));
        client.session.send(id, ByteBuffer.wrap(new byte[10]));
        exchange();
        connector.session.refuse(id, StreamRefuseReason.STREAM_REFUSE_REASON_RESOURCE_UNKNOWN, "10.9.9.9 is not a resource");
        client.session.send(id, ByteBuffer.wrap(new byte[10])); // crosses the refusal
        exchange();

        assertEquals("10.9.9.9 is not a resource", client.refusals.get(id).getMessage());
        assertEquals(0, client.session.openStreamCount());
        assertTrue(!connector.session.isClosed() && !client.session.isClosed(), "late frames are not a violation");
        assertEquals(-1, client.session.send(id, ByteBuffer.wrap(new byte[1])));
    }

    @Test
    void resetTellsThePeerWhy() {
        int id = client.session.open(open("a.lan", 1));
        exchange();
        connector.session.reset(id, ResetCode.ACCESS_REVOKED, "rule 'family' no longer includes you");
        exchange();
        assertTrue(client.events.contains("reset 1 ACCESS_REVOKED rule 'family' no longer includes you"));
    }

    @Test
    void anOpenFromTheConnectorOrAReusedIdIsAViolation() {
        client.session.open(open("a.lan", 1));
        exchange();
        connector.session.receive(FrameEncoder.frame(TunnelProtocol.OPEN, 1,
                ByteBuffer.wrap(open("b.lan", 1).toByteArray())));
        assertTrue(connector.session.isClosed());
        assertTrue(connector.events.get(connector.events.size() - 1).contains("ids must be odd and increasing"));

        RecordingEnd other = new RecordingEnd(Session.Role.CLIENT, now::get);
        other.session.receive(FrameEncoder.frame(TunnelProtocol.OPEN, 1, ByteBuffer.wrap(open("b.lan", 1).toByteArray())));
        assertTrue(other.session.isClosed());
    }

    @Test
    void unknownFrameTypesAreSkipped() {
        connector.session.receive(FrameEncoder.frame(0x7F, 0, ByteBuffer.wrap(new byte[100])));
        client.session.open(open("a.lan", 1));
        exchange();
        assertTrue(!connector.session.isClosed());
        assertEquals(1, connector.openRequests.size());
    }

    @Test
    void opensBeyondTheStreamLimitAreRefusedWithCapacity() throws Exception {
        for (int i = 0; i < TunnelProtocol.MAX_STREAMS_PER_SESSION; i++) {
            client.session.open(open("a.lan", 1));
        }
        exchange();
        // A client that ignores its own limit: one more OPEN, written by hand.
        connector.session.receive(FrameEncoder.frame(TunnelProtocol.OPEN, 2 * TunnelProtocol.MAX_STREAMS_PER_SESSION + 1,
                ByteBuffer.wrap(open("a.lan", 1).toByteArray())));
        assertEquals(TunnelProtocol.MAX_STREAMS_PER_SESSION, connector.openRequests.size());
        ByteBuffer answer = connector.wire.getLast();
        assertEquals(TunnelProtocol.REFUSED, answer.get(0));
        assertEquals(2 * TunnelProtocol.MAX_STREAMS_PER_SESSION + 1, answer.getInt(4));
        assertEquals(StreamRefuseReason.STREAM_REFUSE_REASON_CAPACITY, StreamRefused.parseFrom(
                answer.position(TunnelProtocol.FRAME_HEADER_BYTES)).getReason());
    }

    @Test
    void silenceBringsAPingThenTheEndOfTheSession() {
        now.addAndGet(TunnelProtocol.KEEPALIVE_SECONDS * 1_000_000_000L);
        client.session.tick();
        assertEquals(1, client.wire.size());
        client.deliverTo(connector);
        connector.deliverTo(client); // PONG
        now.addAndGet((TunnelProtocol.DEAD_AFTER_SECONDS - 1) * 1_000_000_000L);
        client.session.tick();
        assertTrue(!client.session.isClosed(), "the PONG counted as life");

        now.addAndGet(2_000_000_000L);
        connector.session.tick();
        assertTrue(connector.session.isClosed());
        assertTrue(connector.events.get(0).startsWith("closed IDLE"));
    }

    @Test
    void aProbeSendsAPingAtOnceAndTheAnswerResetsTheSilence() {
        now.addAndGet(3_000_000_000L);
        assertEquals(3_000_000_000L, client.session.silentNanos());
        client.session.probe();
        assertEquals(1, client.wire.size(), "a PING before any keepalive is due");
        assertEquals(TunnelProtocol.PING, client.wire.getLast().get(0));
        client.deliverTo(connector);
        connector.deliverTo(client); // PONG
        assertEquals(0, client.session.silentNanos());
    }

    @Test
    void aProbeOnAClosedSessionSendsNothing() {
        client.session.goAway(ResetCode.NORMAL, "done");
        int written = client.wire.size();
        client.session.probe();
        assertEquals(written, client.wire.size());
    }
}
