package dev.zerogate.tunnel;

import dev.zerogate.proto.tunnel.v1.OpenStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random and mutated byte streams fed to both ends of a session: the parser never throws
 * anything but its own verdict (the session ends with GOAWAY), never hands over a payload
 * above the limit of its type, and never buffers more than one frame's limit.
 */
class FrameFuzzTest {

    private static final int ROUNDS = 3_000;

    /** A plausible stream of frames: the raw material the mutations start from. */
    private static byte[] validTraffic(Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int stream = 1;
        for (int i = 0; i < 1 + random.nextInt(12); i++) {
            ByteBuffer frame = switch (random.nextInt(6)) {
                case 0 -> FrameEncoder.frame(TunnelProtocol.OPEN, stream += 2, ByteBuffer.wrap(OpenStream.newBuilder()
                        .setGrant("x".repeat(random.nextInt(100))).setDestination("a.lan").setPort(80).build().toByteArray()));
                case 1 -> FrameEncoder.frame(TunnelProtocol.DATA, stream, ByteBuffer.wrap(new byte[random.nextInt(3000)]));
                case 2 -> FrameEncoder.frame(TunnelProtocol.WINDOW, stream, FrameEncoder.window(1 + random.nextInt(1000)));
                case 3 -> FrameEncoder.frame(TunnelProtocol.FIN, stream, ByteBuffer.allocate(0));
                case 4 -> FrameEncoder.frame(TunnelProtocol.PING, 0, ByteBuffer.allocate(8));
                default -> FrameEncoder.frame(TunnelProtocol.RESET, stream, FrameEncoder.reason(ResetCode.CANCELLED, "x"));
            };
            out.write(frame.array(), 0, frame.limit());
        }
        return out.toByteArray();
    }

    private static byte[] mutate(byte[] bytes, Random random) {
        byte[] copy = bytes.clone();
        for (int i = 0; i < 1 + random.nextInt(8) && copy.length > 0; i++) {
            int at = random.nextInt(copy.length);
            switch (random.nextInt(3)) {
                case 0 -> copy[at] = (byte) random.nextInt(256);
                case 1 -> copy[at] ^= (byte) (1 << random.nextInt(8));
                default -> copy[at] = (byte) (random.nextBoolean() ? 0xFF : 0x00);
            }
        }
        return copy;
    }

    @Test
    void mutatedAndRandomFramesNeverCrashTheDecoderOrExceedLimits() {
        Random random = new Random(20261125L);
        for (int round = 0; round < ROUNDS; round++) {
            byte[] input;
            if (round % 3 == 0) {
                input = new byte[random.nextInt(4000)];
                random.nextBytes(input);
            } else {
                input = mutate(validTraffic(random), random);
            }
            FrameDecoder decoder = new FrameDecoder();
            int offset = 0;
            try {
                while (offset < input.length) {
                    int n = Math.min(input.length - offset, 1 + random.nextInt(600));
                    decoder.feed(ByteBuffer.wrap(input, offset, n), (type, flags, stream, payload) -> {
                        if (payload.remaining() > TunnelProtocol.maxPayload(type)) {
                            fail("payload of " + payload.remaining() + " bytes for type " + type);
                        }
                    });
                    offset += n;
                }
            } catch (ProtocolViolation expected) {
                assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty());
            }
        }
    }

    @Test
    void mutatedTrafficNeverThrowsOutOfASession() {
        Random random = new Random(42);
        for (int round = 0; round < ROUNDS; round++) {
            for (Session.Role role : Session.Role.values()) {
                RecordingEnd end = new RecordingEnd(role, System::nanoTime);
                byte[] input = mutate(validTraffic(random), random);
                try {
                    end.session.receive(ByteBuffer.wrap(input));
                } catch (RuntimeException e) {
                    throw new AssertionError("round " + round + " (" + role + ") threw " + e, e);
                }
                // Whatever happened, the session either lives or ended with a reason.
                assertTrue(!end.session.isClosed() || end.events.stream().anyMatch(e -> e.startsWith("closed")));
                // And it never answered beyond what a frame may carry.
                end.wire.forEach(frame -> assertTrue(frame.remaining() <= TunnelProtocol.FRAME_HEADER_BYTES + TunnelProtocol.MAX_FRAME_PAYLOAD));
            }
        }
    }
}
