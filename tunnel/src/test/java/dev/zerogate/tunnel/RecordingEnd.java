package dev.zerogate.tunnel;

import dev.zerogate.proto.tunnel.v1.OpenStream;
import dev.zerogate.proto.tunnel.v1.StreamOpened;
import dev.zerogate.proto.tunnel.v1.StreamRefused;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One side of an in-memory session pair for tests: records what its session reports and
 * queues the frames it writes, which {@link #deliverTo} feeds to the other side's session.
 */
final class RecordingEnd implements Session.Output, Session.Listener {

    final Session session;
    final ArrayDeque<ByteBuffer> wire = new ArrayDeque<>();
    final List<String> events = new ArrayList<>();
    final Map<Integer, ByteArrayOutputStream> received = new HashMap<>();
    final Map<Integer, OpenStream> openRequests = new HashMap<>();
    final Map<Integer, StreamRefused> refusals = new HashMap<>();
    boolean consumeAtOnce = true;
    boolean connectionClosed;

    RecordingEnd(Session.Role role, LongSupplier clock) {
        this.session = new Session(role, this, this, clock);
    }

    /** Moves every queued frame to the peer, one frame per receive call, in small splits too. */
    void deliverTo(RecordingEnd peer) {
        while (!wire.isEmpty()) {
            peer.session.receive(wire.poll());
        }
    }

    long bytesOnWire() {
        return wire.stream().mapToLong(ByteBuffer::remaining).sum();
    }

    @Override
    public void frame(int type, int streamId, ByteBuffer payload) {
        wire.add(FrameEncoder.frame(type, streamId, payload));
    }

    @Override
    public void close() {
        connectionClosed = true;
    }

    @Override
    public void onOpenRequested(int streamId, OpenStream request) {
        events.add("open-requested " + streamId);
        openRequests.put(streamId, request);
    }

    @Override
    public void onOpened(int streamId, StreamOpened opened) {
        events.add("opened " + streamId + " " + opened.getResolvedAddress());
    }

    @Override
    public void onRefused(int streamId, StreamRefused refused) {
        events.add("refused " + streamId + " " + refused.getReasonValue());
        refusals.put(streamId, refused);
    }

    @Override
    public void onData(int streamId, ByteBuffer data) {
        int n = data.remaining();
        byte[] copy = new byte[n];
        data.get(copy);
        received.computeIfAbsent(streamId, id -> new ByteArrayOutputStream()).writeBytes(copy);
        if (consumeAtOnce) {
            session.consumed(streamId, n);
        }
    }

    @Override
    public void onFin(int streamId) {
        events.add("fin " + streamId);
    }

    @Override
    public void onReset(int streamId, ResetCode code, String message) {
        events.add("reset " + streamId + " " + code + " " + message);
    }

    @Override
    public void onWritable(int streamId) {
        events.add("writable " + streamId);
    }

    @Override
    public void onClosed(ResetCode code, String message, boolean byPeer) {
        events.add("closed " + code + (byPeer ? " by peer" : "") + ": " + message);
    }

    byte[] receivedOn(int streamId) {
        ByteArrayOutputStream out = received.get(streamId);
        return out == null ? new byte[0] : out.toByteArray();
    }
}
