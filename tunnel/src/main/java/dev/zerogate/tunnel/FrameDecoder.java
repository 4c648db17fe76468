package dev.zerogate.tunnel;

import java.nio.ByteBuffer;

/**
 * Splits the session's plaintext byte stream into frames (layout in {@link TunnelProtocol}).
 * Bytes may arrive in any split. A payload that is in the input whole is handed over as a
 * view of it (no copy); a split one is gathered into one buffer that the decoder keeps and
 * reuses, grown only after a frame's length passed the limit of its type (so at most the
 * largest limit, {@link TunnelProtocol#MAX_FRAME_PAYLOAD}). The buffer is kept because split
 * frames are common on a bulk flow (the TLS layer hands plaintext over in pieces that do not
 * end on frame boundaries), and a fresh buffer for each would be garbage whose collections
 * pause the whole pipeline (ADR 0011 has the figures).
 * Not thread-safe: one decoder per session, fed in order.
 */
public final class FrameDecoder {

    /** Receives each complete frame; the payload is only valid during the call. */
    @FunctionalInterface
    public interface FrameSink {
        void frame(int type, int flags, int streamId, ByteBuffer payload) throws ProtocolViolation;
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final ByteBuffer header = ByteBuffer.allocate(TunnelProtocol.FRAME_HEADER_BYTES);
    /** Set between a header and the end of its payload. */
    private boolean inPayload;
    private int type;
    private int flags;
    private int streamId;
    private int length;
    /** The gathered payload of a frame split across inputs; null while none is split. */
    private ByteBuffer gathered;
    /** Where split payloads are gathered, kept between frames; null until the first split one. */
    private ByteBuffer gatheringSpace;

    /** Consumes all of {@code in}, calling the sink for every frame it completes. */
    public void feed(ByteBuffer in, FrameSink sink) throws ProtocolViolation {
        while (in.hasRemaining() || (inPayload && length == 0)) {
            if (!inPayload) {
                if (header.position() == 0 && in.remaining() >= TunnelProtocol.FRAME_HEADER_BYTES) {
                    readHeader(in);
                } else {
                    copyInto(header, in);
                    if (header.hasRemaining()) {
                        return;
                    }
                    header.flip();
                    readHeader(header);
                    header.clear();
                }
            }
            if (length == 0) {
                deliver(sink, EMPTY);
            } else if (gathered == null && in.remaining() >= length) {
                ByteBuffer view = in.slice();
                view.limit(length);
                in.position(in.position() + length);
                deliver(sink, view);
            } else {
                if (gathered == null) {
                    gathered = gatheringSpace(length);
                }
                copyInto(gathered, in);
                if (gathered.hasRemaining()) {
                    return;
                }
                ByteBuffer payload = gathered.flip();
                gathered = null;
                deliver(sink, payload);
            }
        }
    }

    /** The kept buffer, cleared and limited to {@code length}; replaced by a larger one if it is too small. */
    private ByteBuffer gatheringSpace(int length) {
        if (gatheringSpace == null || gatheringSpace.capacity() < length) {
            gatheringSpace = ByteBuffer.allocate(length);
        }
        return gatheringSpace.clear().limit(length);
    }

    private void readHeader(ByteBuffer source) throws ProtocolViolation {
        type = source.get() & 0xFF;
        flags = source.get() & 0xFF;
        length = source.getShort() & 0xFFFF;
        streamId = source.getInt();
        int limit = TunnelProtocol.maxPayload(type);
        if (length > limit) {
            throw new ProtocolViolation("frame type 0x" + Integer.toHexString(type) + " carries " + length
                    + " bytes; the limit is " + limit);
        }
        inPayload = true;
    }

    private void deliver(FrameSink sink, ByteBuffer payload) throws ProtocolViolation {
        inPayload = false;
        sink.frame(type, flags, streamId, payload);
    }

    private static void copyInto(ByteBuffer target, ByteBuffer source) {
        int n = Math.min(target.remaining(), source.remaining());
        ByteBuffer chunk = source.slice();
        chunk.limit(n);
        target.put(chunk);
        source.position(source.position() + n);
    }
}
