package dev.zerogate.tunnel;

import dev.zerogate.proto.tunnel.v1.ConnectorJoin;
import dev.zerogate.proto.tunnel.v1.RelayAnswer;
import dev.zerogate.proto.tunnel.v1.RelayAnswerCode;
import dev.zerogate.proto.tunnel.v1.RelayPreamble;
import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreamblesTest {

    private final RelayKey relay = RelayKey.generate();
    private final RelayPreamble preamble = RelayPreamble.newBuilder().setSentAtUnixMs(1_700_000_000_000L)
            .setConnector(ConnectorJoin.newBuilder().setRendezvousToken(ByteString.copyFromUtf8("token-0123456789abcdef")))
            .build();

    private Preambles.Opened open(byte[] wire, RelayKey key) throws ProtocolViolation {
        ByteBuffer buffer = ByteBuffer.wrap(wire);
        Preambles.Header header = Preambles.readHeader(buffer);
        byte[] body = new byte[header.bodyLength()];
        buffer.get(body);
        return Preambles.open(key, header, body);
    }

    @Test
    void onlyTheRelayOpensThePreambleAndOnlyTheSenderOpensTheAnswer() throws Exception {
        Preambles.Sealer sealer = new Preambles.Sealer(RelayKey.fromPublic(relay.publicText()));
        byte[] wire = sealer.seal(preamble);

        Preambles.Opened opened = open(wire, RelayKey.fromPrivate(relay.privateBytes()));
        assertEquals(preamble, opened.preamble());
        assertArrayEquals(sealer.encapsulatedKey(), opened.encapsulatedKey());

        byte[] answer = opened.sealAnswer(RelayAnswer.newBuilder().setCode(RelayAnswerCode.RELAY_ANSWER_CODE_OK)
                .setSessionId("s-1").build());
        int length = Preambles.answerLength(ByteBuffer.wrap(answer, 0, 2));
        assertEquals("s-1", sealer.openAnswer(Arrays.copyOfRange(answer, 2, 2 + length)).getSessionId());

        Preambles.Sealer stranger = new Preambles.Sealer(relay);
        assertThrows(IllegalArgumentException.class, () -> stranger.openAnswer(Arrays.copyOfRange(answer, 2, 2 + length)));
    }

    @Test
    void theWireShowsNothingOfTheBody() {
        byte[] wire = new Preambles.Sealer(relay).seal(preamble);
        String text = new String(wire, StandardCharsets.ISO_8859_1);
        assertFalse(text.contains("token-0123456789abcdef"));
        assertTrue(Preambles.isPreamble(ByteBuffer.wrap(wire)));
    }

    @Test
    void anotherRelayOrATamperedHeaderDoesNotOpen() {
        byte[] wire = new Preambles.Sealer(relay).seal(preamble);
        ProtocolViolation otherKey = assertThrows(ProtocolViolation.class, () -> open(wire, RelayKey.generate()));
        assertTrue(otherKey.getMessage().contains("another relay key"));

        byte[] tampered = wire.clone();
        tampered[20] ^= 1; // inside the encapsulated key, which the body's AAD covers
        assertThrows(ProtocolViolation.class, () -> open(tampered, relay));

        byte[] flippedBody = wire.clone();
        flippedBody[flippedBody.length - 1] ^= 1;
        assertThrows(ProtocolViolation.class, () -> open(flippedBody, relay));
    }

    @Test
    void lengthsAreCheckedFromTheHeader() {
        byte[] header = Arrays.copyOf(TunnelProtocol.PREAMBLE_MAGIC, TunnelProtocol.PREAMBLE_HEADER_BYTES);
        header[44] = (byte) 0x7F;
        header[45] = (byte) 0xFF;
        assertThrows(ProtocolViolation.class, () -> Preambles.readHeader(ByteBuffer.wrap(header)));
        assertThrows(ProtocolViolation.class, () -> Preambles.answerLength(ByteBuffer.wrap(new byte[]{(byte) 0xFF, (byte) 0xFF})));
    }
}
