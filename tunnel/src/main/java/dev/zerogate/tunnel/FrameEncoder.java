package dev.zerogate.tunnel;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Writes frame headers and the small fixed payloads (layout in {@link TunnelProtocol}). */
public final class FrameEncoder {

    /** Writes the 8-byte header into {@code target} at its position. */
    public static void writeHeader(ByteBuffer target, int type, int streamId, int payloadLength) {
        if (payloadLength < 0 || payloadLength > TunnelProtocol.maxPayload(type)) {
            throw new IllegalArgumentException("payload of " + payloadLength + " bytes for frame type " + type);
        }
        target.put((byte) type).put((byte) 0).putShort((short) payloadLength).putInt(streamId);
    }

    /** A whole frame in a new buffer, ready to read. */
    public static ByteBuffer frame(int type, int streamId, ByteBuffer payload) {
        ByteBuffer out = ByteBuffer.allocate(TunnelProtocol.FRAME_HEADER_BYTES + payload.remaining());
        writeHeader(out, type, streamId, payload.remaining());
        out.put(payload.duplicate());
        return out.flip();
    }

    /** The payload of RESET and GOAWAY: the code, then the message cut to the byte limit. */
    public static ByteBuffer reason(ResetCode code, String message) {
        byte[] text = truncateUtf8(message == null ? "" : message, TunnelProtocol.MAX_REASON_BYTES);
        return ByteBuffer.allocate(2 + text.length).putShort((short) code.code()).put(text).flip();
    }

    public static ByteBuffer window(int increment) {
        return ByteBuffer.allocate(4).putInt(increment).flip();
    }

    /** Cuts text to at most {@code maxBytes} of UTF-8 without splitting a character. */
    static byte[] truncateUtf8(String text, int maxBytes) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return bytes;
        }
        int end = maxBytes;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        byte[] cut = new byte[end];
        System.arraycopy(bytes, 0, cut, 0, end);
        return cut;
    }

    private FrameEncoder() {
    }
}
