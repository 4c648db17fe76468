package dev.zerogate.tunnel;

import com.sun.management.ThreadMXBean;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameDecoderTest {

    private record Decoded(int type, int stream, byte[] payload) {
    }

    private static List<Decoded> decodeInSplits(byte[] wire, Random random) throws ProtocolViolation {
        FrameDecoder decoder = new FrameDecoder();
        List<Decoded> frames = new ArrayList<>();
        int offset = 0;
        while (offset < wire.length) {
            int n = Math.min(wire.length - offset, 1 + random.nextInt(40));
            decoder.feed(ByteBuffer.wrap(wire, offset, n), (type, flags, stream, payload) -> {
                byte[] copy = new byte[payload.remaining()];
                payload.get(copy);
                frames.add(new Decoded(type, stream, copy));
            });
            offset += n;
        }
        return frames;
    }

    @Test
    void framesSurviveAnySplitOfTheByteStream() throws Exception {
        Random random = new Random(7);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        List<Decoded> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            byte[] payload = new byte[random.nextInt(3) == 0 ? 0 : random.nextInt(TunnelProtocol.MAX_FRAME_PAYLOAD)];
            random.nextBytes(payload);
            int stream = 1 + 2 * random.nextInt(50);
            sent.add(new Decoded(TunnelProtocol.DATA, stream, payload));
            ByteBuffer frame = FrameEncoder.frame(TunnelProtocol.DATA, stream, ByteBuffer.wrap(payload));
            wire.write(frame.array(), 0, frame.limit());
        }

        List<Decoded> decoded = decodeInSplits(wire.toByteArray(), random);

        assertEquals(sent.size(), decoded.size());
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(sent.get(i).stream(), decoded.get(i).stream());
            assertArrayEquals(sent.get(i).payload(), decoded.get(i).payload());
        }
    }

    @Test
    void splitFramesAreGatheredWithoutAllocatingABufferEach() throws Exception {
        // One full DATA frame, fed in two pieces that split its payload, a thousand times: the
        // way the TLS layer hands plaintext over on a bulk flow.
        ByteBuffer frame = FrameEncoder.frame(TunnelProtocol.DATA, 1, ByteBuffer.allocate(TunnelProtocol.MAX_FRAME_PAYLOAD));
        byte[] wire = Arrays.copyOf(frame.array(), frame.limit());
        FrameDecoder decoder = new FrameDecoder();
        long[] delivered = new long[1];
        FrameDecoder.FrameSink sink = (type, flags, stream, payload) -> delivered[0] += payload.remaining();
        ByteBuffer first = ByteBuffer.wrap(wire, 0, 5_000);
        ByteBuffer second = ByteBuffer.wrap(wire, 5_000, wire.length - 5_000);
        var threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();

        for (int i = 0; i < 1_000; i++) {
            decoder.feed(first.clear().position(0).limit(5_000), sink);
            decoder.feed(second.clear().position(5_000), sink);
        }

        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(1_000L * TunnelProtocol.MAX_FRAME_PAYLOAD, delivered[0]);
        // 16 MiB if every split frame got a buffer of its own; slices and views are small.
        assertTrue(allocated < 2_000_000, "allocated " + allocated + " bytes for 1,000 split frames");
    }

    @Test
    void anOversizedLengthIsRefusedFromTheHeaderAlone() {
        // A header announcing 60,000 bytes of DATA, and no payload at all: refused before any allocation.
        ByteBuffer header = ByteBuffer.allocate(8).put((byte) TunnelProtocol.DATA).put((byte) 0)
                .putShort((short) 60_000).putInt(1).flip();
        ProtocolViolation violation = assertThrows(ProtocolViolation.class,
                () -> new FrameDecoder().feed(header, (t, f, s, p) -> { }));
        assertTrue(violation.getMessage().contains("60000 bytes; the limit is 16384"), violation.getMessage());
    }

    @Test
    void eachTypeHasItsOwnLimit() {
        ByteBuffer window = ByteBuffer.allocate(8 + 5).put((byte) TunnelProtocol.WINDOW).put((byte) 0)
                .putShort((short) 5).putInt(1).put(new byte[5]).flip();
        assertThrows(ProtocolViolation.class, () -> new FrameDecoder().feed(window, (t, f, s, p) -> { }));
    }
}
