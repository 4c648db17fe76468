package dev.zerogate.tunnel;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import dev.zerogate.proto.tunnel.v1.OpenStream;
import dev.zerogate.proto.tunnel.v1.StreamOpened;
import dev.zerogate.proto.tunnel.v1.StreamRefuseReason;
import dev.zerogate.proto.tunnel.v1.StreamRefused;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One end of an end-to-end session: streams, their flow-control windows and the session's
 * liveness, as specified in {@link TunnelProtocol}. Free of I/O: plaintext bytes come in
 * through {@link #receive}, frames go out through {@link Output}, events go to
 * {@link Listener}, and time comes from the injected clock through {@link #tick}. Not
 * thread-safe: an adapter calls it from one thread (the session's event loop).
 */
public final class Session {

    public enum Role {
        /** Opens streams (odd ids). */
        CLIENT,
        /** Accepts or refuses streams. */
        CONNECTOR
    }

    /** Where frames go: the adapter writes them, in order, to the session's TLS connection. */
    public interface Output {
        /** One frame; the payload is only valid during the call (copy it if it must outlive it). */
        void frame(int type, int streamId, ByteBuffer payload);

        /** The session ended: flush what was written, then close the connection. */
        void close();
    }

    /** What the session tells its owner. Called on the thread that called into the session. */
    public interface Listener {
        /** Connector side: the client asks for a flow; answer with {@link #accept} or {@link #refuse}. */
        default void onOpenRequested(int streamId, OpenStream request) {
        }

        /** Client side: the connector dialled the destination. */
        default void onOpened(int streamId, StreamOpened opened) {
        }

        /** Client side: the connector refused the stream; it is closed. */
        default void onRefused(int streamId, StreamRefused refused) {
        }

        /**
         * Bytes of a stream, valid only during the call. Call {@link #consumed} once they have
         * left the owner's buffers, so that the peer may send more.
         */
        void onData(int streamId, ByteBuffer data);

        /** The peer sends no more data on the stream. */
        void onFin(int streamId);

        /** The stream is closed both ways by the peer. */
        void onReset(int streamId, ResetCode code, String message);

        /** The stream's send window grew from zero: {@link #send} accepts bytes again. */
        void onWritable(int streamId);

        /** The session ended; every stream is gone. {@code byPeer} when the peer sent GOAWAY. */
        void onClosed(ResetCode code, String message, boolean byPeer);
    }

    /** Per-stream state. */
    private static final class Stream {
        final int id;
        /** Bytes we may still send. */
        long sendWindow = TunnelProtocol.INITIAL_STREAM_WINDOW;
        /** Bytes the peer may still send. */
        long receiveAllowance = TunnelProtocol.INITIAL_STREAM_WINDOW;
        /** The window this side grants: the initial one, or wider (see {@link #widen}). */
        int receiveWindow = TunnelProtocol.INITIAL_STREAM_WINDOW;
        /** Bytes consumed but not yet returned to the peer with WINDOW. */
        long pendingCredit;
        boolean sentFin;
        boolean receivedFin;
        /** Connector side: accepted or refused already. */
        boolean answered;

        Stream(int id) {
            this.id = id;
        }
    }

    private final Role role;
    private final Output output;
    private final Listener listener;
    private final LongSupplier nanoClock;
    private final FrameDecoder decoder = new FrameDecoder();
    private final Map<Integer, Stream> streams = new HashMap<>();
    /** Highest stream id opened so far (by the client). Ids at or below it that are not in the map are closed. */
    private int highestStreamId;
    private long lastReceivedNanos;
    private boolean pingOutstanding;
    private boolean closed;

    public Session(Role role, Output output, Listener listener, LongSupplier nanoClock) {
        this.role = role;
        this.output = output;
        this.listener = listener;
        this.nanoClock = nanoClock;
        this.lastReceivedNanos = nanoClock.getAsLong();
    }

    public Role role() {
        return role;
    }

    public boolean isClosed() {
        return closed;
    }

    public int openStreamCount() {
        return streams.size();
    }

    // ---- input --------------------------------------------------------------------------

    /** Feeds plaintext bytes from the peer. A protocol violation ends the session with GOAWAY. */
    public void receive(ByteBuffer bytes) {
        if (closed) {
            bytes.position(bytes.limit());
            return;
        }
        lastReceivedNanos = nanoClock.getAsLong();
        pingOutstanding = false;
        try {
            decoder.feed(bytes, this::onFrame);
        } catch (ProtocolViolation violation) {
            goAway(violation.code(), violation.getMessage());
        }
    }

    private void onFrame(int type, int flags, int streamId, ByteBuffer payload) throws ProtocolViolation {
        if (closed) {
            return;
        }
        if (!TunnelProtocol.isKnown(type)) {
            return; // skipped: a later version may define it
        }
        boolean streamFrame = TunnelProtocol.isStreamFrame(type);
        if (streamFrame == (streamId == 0)) {
            throw new ProtocolViolation("frame type 0x" + Integer.toHexString(type) + " on stream " + streamId);
        }
        switch (type) {
            case TunnelProtocol.OPEN -> onOpen(streamId, payload);
            case TunnelProtocol.PING -> output.frame(TunnelProtocol.PONG, 0, payload);
            case TunnelProtocol.PONG -> { }
            case TunnelProtocol.GOAWAY -> {
                Reason reason = reason(payload);
                end(reason.code, reason.message, true);
            }
            default -> onStreamFrame(type, streamId, payload);
        }
    }

    private void onOpen(int streamId, ByteBuffer payload) throws ProtocolViolation {
        if (role != Role.CONNECTOR) {
            throw new ProtocolViolation("OPEN sent to a client");
        }
        if ((streamId & 1) == 0 || Integer.compareUnsigned(streamId, highestStreamId) <= 0) {
            throw new ProtocolViolation("OPEN of stream " + Integer.toUnsignedString(streamId)
                    + ": ids must be odd and increasing (last " + highestStreamId + ")");
        }
        OpenStream request = parse(OpenStream.parser(), payload, "OPEN");
        highestStreamId = streamId;
        if (streams.size() >= TunnelProtocol.MAX_STREAMS_PER_SESSION) {
            writeFrame(TunnelProtocol.REFUSED, streamId, StreamRefused.newBuilder()
                    .setReason(StreamRefuseReason.STREAM_REFUSE_REASON_CAPACITY)
                    .setMessage("this session has " + streams.size() + " open flows, the most it allows")
                    .build());
            return;
        }
        streams.put(streamId, new Stream(streamId));
        listener.onOpenRequested(streamId, request);
    }

    private void onStreamFrame(int type, int streamId, ByteBuffer payload) throws ProtocolViolation {
        Stream stream = streams.get(streamId);
        if (stream == null) {
            if (Integer.compareUnsigned(streamId, highestStreamId) <= 0) {
                return; // a stream closed recently; the frame crossed our RESET or REFUSED
            }
            throw new ProtocolViolation("frame type 0x" + Integer.toHexString(type) + " on stream " + streamId
                    + ", which was never opened");
        }
        switch (type) {
            case TunnelProtocol.DATA -> {
                if (stream.receivedFin) {
                    throw new ProtocolViolation("DATA after FIN on stream " + streamId);
                }
                if (payload.remaining() > stream.receiveAllowance) {
                    throw new ProtocolViolation(ResetCode.FLOW_CONTROL_ERROR, payload.remaining()
                            + " bytes of DATA on stream " + streamId + " with a window of " + stream.receiveAllowance);
                }
                stream.receiveAllowance -= payload.remaining();
                listener.onData(streamId, payload);
            }
            case TunnelProtocol.WINDOW -> {
                int increment = payload.remaining() == 4 ? payload.getInt(payload.position()) : 0;
                if (increment <= 0 || stream.sendWindow + increment > TunnelProtocol.MAX_WINDOW) {
                    throw new ProtocolViolation(ResetCode.FLOW_CONTROL_ERROR, "WINDOW increment " + increment
                            + " on stream " + streamId);
                }
                boolean wasBlocked = stream.sendWindow == 0;
                stream.sendWindow += increment;
                if (wasBlocked && !stream.sentFin) {
                    listener.onWritable(streamId);
                }
            }
            case TunnelProtocol.FIN -> {
                if (stream.receivedFin) {
                    throw new ProtocolViolation("second FIN on stream " + streamId);
                }
                stream.receivedFin = true;
                // The stream's state is final before the owner hears of it: a stream finished both
                // ways is already gone, so the owner can forget its side of it too.
                removeIfDone(stream);
                listener.onFin(streamId);
            }
            case TunnelProtocol.RESET -> {
                streams.remove(streamId);
                Reason reason = reason(payload);
                listener.onReset(streamId, reason.code, reason.message);
            }
            case TunnelProtocol.OPENED -> {
                requireClient(type);
                listener.onOpened(streamId, parse(StreamOpened.parser(), payload, "OPENED"));
            }
            case TunnelProtocol.REFUSED -> {
                requireClient(type);
                streams.remove(streamId);
                listener.onRefused(streamId, parse(StreamRefused.parser(), payload, "REFUSED"));
            }
            default -> throw new ProtocolViolation("unexpected frame type " + type);
        }
    }

    private void requireClient(int type) throws ProtocolViolation {
        if (role != Role.CLIENT) {
            throw new ProtocolViolation("frame type 0x" + Integer.toHexString(type) + " sent to a connector");
        }
    }

    // ---- output -------------------------------------------------------------------------

    /** Client side: opens a stream asking for a flow; returns its id. DATA may follow at once. */
    public int open(OpenStream request) {
        requireOpen();
        if (role != Role.CLIENT) {
            throw new IllegalStateException("only a client opens streams");
        }
        if (streams.size() >= TunnelProtocol.MAX_STREAMS_PER_SESSION) {
            throw new IllegalStateException("the session has " + streams.size() + " open streams, its limit");
        }
        int id = highestStreamId == 0 ? 1 : highestStreamId + 2;
        if (id < 0) {
            throw new IllegalStateException("stream ids exhausted: open a new session");
        }
        highestStreamId = id;
        Stream stream = new Stream(id);
        streams.put(id, stream);
        writeFrame(TunnelProtocol.OPEN, id, request);
        widen(stream);
        return id;
    }

    /**
     * Widens the stream's receive window to {@link TunnelProtocol#WIDE_STREAM_WINDOW} if the
     * session's open streams together stay within {@link TunnelProtocol#SESSION_WIDENING_BUDGET}
     * of widening. Counted over the open streams when a stream starts (at most 1,024), so a
     * closed stream's share returns without bookkeeping at every place a stream ends.
     */
    private void widen(Stream stream) {
        int extra = TunnelProtocol.WIDE_STREAM_WINDOW - TunnelProtocol.INITIAL_STREAM_WINDOW;
        long widened = 0;
        for (Stream open : streams.values()) {
            widened += open.receiveWindow - TunnelProtocol.INITIAL_STREAM_WINDOW;
        }
        if (widened + extra > TunnelProtocol.SESSION_WIDENING_BUDGET) {
            return;
        }
        stream.receiveWindow += extra;
        stream.receiveAllowance += extra;
        output.frame(TunnelProtocol.WINDOW, stream.id, FrameEncoder.window(extra));
    }

    /** The window this side grants on an open stream; 0 if the stream is not open. For tests and metrics. */
    public int receiveWindow(int streamId) {
        Stream stream = streams.get(streamId);
        return stream == null ? 0 : stream.receiveWindow;
    }

    /** True when no more streams can be opened on this session (limits or ids). */
    public boolean isFull() {
        return streams.size() >= TunnelProtocol.MAX_STREAMS_PER_SESSION || highestStreamId > Integer.MAX_VALUE - 2;
    }

    /** Connector side: the destination is dialled. */
    public void accept(int streamId, StreamOpened opened) {
        Stream stream = answerable(streamId);
        if (stream != null) {
            stream.answered = true;
            writeFrame(TunnelProtocol.OPENED, streamId, opened);
            widen(stream);
        }
    }

    /** Connector side: the flow is refused; the stream is closed. */
    public void refuse(int streamId, StreamRefuseReason reason, String message) {
        Stream stream = answerable(streamId);
        if (stream != null) {
            streams.remove(streamId);
            writeFrame(TunnelProtocol.REFUSED, streamId, StreamRefused.newBuilder()
                    .setReason(reason).setMessage(truncate(message)).build());
        }
    }

    private Stream answerable(int streamId) {
        if (closed) {
            return null;
        }
        Stream stream = streams.get(streamId);
        if (stream != null && stream.answered) {
            throw new IllegalStateException("stream " + streamId + " was already answered");
        }
        return stream;
    }

    /**
     * Sends as much of {@code data} as the stream's window allows, in frames of at most
     * {@link TunnelProtocol#MAX_FRAME_PAYLOAD} bytes, and returns how many bytes it took (the
     * buffer's position advances by as many). 0 means the window is closed: wait for
     * {@link Listener#onWritable}. Returns -1 if the stream is gone (reset or session closed).
     */
    public int send(int streamId, ByteBuffer data) {
        Stream stream = closed ? null : streams.get(streamId);
        if (stream == null) {
            return -1;
        }
        if (stream.sentFin) {
            throw new IllegalStateException("send after finish on stream " + streamId);
        }
        int taken = 0;
        while (data.hasRemaining() && stream.sendWindow > 0) {
            int n = (int) Math.min(Math.min(data.remaining(), TunnelProtocol.RECORD_ALIGNED_DATA_PAYLOAD), stream.sendWindow);
            ByteBuffer chunk = data.slice();
            chunk.limit(n);
            output.frame(TunnelProtocol.DATA, streamId, chunk);
            data.position(data.position() + n);
            stream.sendWindow -= n;
            taken += n;
        }
        return taken;
    }

    /** Bytes the stream may send now; -1 if it is gone. */
    public long sendWindow(int streamId) {
        Stream stream = closed ? null : streams.get(streamId);
        return stream == null ? -1 : stream.sendWindow;
    }

    /** Half-closes: no more data from this side on the stream. */
    public void finish(int streamId) {
        Stream stream = closed ? null : streams.get(streamId);
        if (stream == null || stream.sentFin) {
            return;
        }
        stream.sentFin = true;
        output.frame(TunnelProtocol.FIN, streamId, ByteBuffer.allocate(0));
        removeIfDone(stream);
    }

    /** Closes the stream both ways now, telling the peer why. */
    public void reset(int streamId, ResetCode code, String message) {
        if (closed || streams.remove(streamId) == null) {
            return;
        }
        output.frame(TunnelProtocol.RESET, streamId, FrameEncoder.reason(code, message));
    }

    /**
     * The owner wrote {@code bytes} of the stream's data out of its buffers. Credit goes back
     * to the peer in WINDOW frames of at least a quarter of the stream's window, so WINDOW
     * frames stay rare.
     */
    public void consumed(int streamId, int bytes) {
        Stream stream = closed ? null : streams.get(streamId);
        if (stream == null || stream.receivedFin) {
            return;
        }
        stream.pendingCredit += bytes;
        if (stream.pendingCredit >= stream.receiveWindow / 4) {
            int increment = (int) stream.pendingCredit;
            stream.pendingCredit = 0;
            stream.receiveAllowance += increment;
            output.frame(TunnelProtocol.WINDOW, streamId, FrameEncoder.window(increment));
        }
    }

    /**
     * Drives liveness: call every few seconds. Sends PING after {@link TunnelProtocol#KEEPALIVE_SECONDS}
     * of silence from the peer; ends the session after {@link TunnelProtocol#DEAD_AFTER_SECONDS}.
     */
    public void tick() {
        if (closed) {
            return;
        }
        long silentNanos = nanoClock.getAsLong() - lastReceivedNanos;
        if (silentNanos >= TunnelProtocol.DEAD_AFTER_SECONDS * 1_000_000_000L) {
            goAway(ResetCode.IDLE, "nothing received for " + (silentNanos / 1_000_000_000L) + " s");
        } else if (silentNanos >= TunnelProtocol.KEEPALIVE_SECONDS * 1_000_000_000L && !pingOutstanding) {
            pingOutstanding = true;
            output.frame(TunnelProtocol.PING, 0, ByteBuffer.allocate(8).putLong(0, nanoClock.getAsLong()));
        }
    }

    /** How long the peer has been silent (nothing received), by the injected clock. */
    public long silentNanos() {
        return nanoClock.getAsLong() - lastReceivedNanos;
    }

    /**
     * Sends PING now, whatever the keepalive timer says: the owner doubts the path (the machine
     * slept, the network changed, or the session sat idle before a new stream) and wants proof
     * that the peer still answers. Any frame received after this call is that proof; the owner
     * watches {@link #silentNanos} for it. Does nothing on a closed session.
     */
    public void probe() {
        if (closed) {
            return;
        }
        pingOutstanding = true;
        output.frame(TunnelProtocol.PING, 0, ByteBuffer.allocate(8).putLong(0, nanoClock.getAsLong()));
    }

    /** Ends the session: GOAWAY to the peer, then every stream is gone. */
    public void goAway(ResetCode code, String message) {
        if (closed) {
            return;
        }
        output.frame(TunnelProtocol.GOAWAY, 0, FrameEncoder.reason(code, message));
        end(code, message, false);
    }

    /** The connection under the session is gone (no GOAWAY can be sent). */
    public void connectionLost(String message) {
        if (!closed) {
            end(ResetCode.CANCELLED, message, false);
        }
    }

    private void end(ResetCode code, String message, boolean byPeer) {
        closed = true;
        streams.clear();
        output.close();
        listener.onClosed(code, message, byPeer);
    }

    private void removeIfDone(Stream stream) {
        if (stream.sentFin && stream.receivedFin) {
            streams.remove(stream.id);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the session is closed");
        }
    }

    private void writeFrame(int type, int streamId, MessageLite body) {
        output.frame(type, streamId, ByteBuffer.wrap(body.toByteArray()));
    }

    private static <T> T parse(com.google.protobuf.Parser<T> parser, ByteBuffer payload, String what)
            throws ProtocolViolation {
        try {
            return parser.parseFrom(payload.duplicate());
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolViolation("unreadable " + what + " body");
        }
    }

    private record Reason(ResetCode code, String message) {
    }

    private static Reason reason(ByteBuffer payload) throws ProtocolViolation {
        if (payload.remaining() < 2) {
            throw new ProtocolViolation("a reason needs at least 2 bytes");
        }
        ByteBuffer copy = payload.duplicate();
        ResetCode code = ResetCode.of(copy.getShort() & 0xFFFF);
        return new Reason(code, StandardCharsets.UTF_8.decode(copy).toString());
    }

    private static String truncate(String message) {
        return message.length() <= TunnelProtocol.MAX_REASON_BYTES ? message
                : message.substring(0, TunnelProtocol.MAX_REASON_BYTES);
    }
}
