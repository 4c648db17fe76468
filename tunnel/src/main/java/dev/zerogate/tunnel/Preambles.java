package dev.zerogate.tunnel;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.zerogate.proto.tunnel.v1.RelayAnswer;
import dev.zerogate.proto.tunnel.v1.RelayPreamble;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.hpke.HPKEContext;
import org.bouncycastle.crypto.hpke.HPKEContextWithEncapsulation;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * The sealed relay preamble and the relay's sealed answer (layouts in {@link TunnelProtocol}):
 * {@link Sealer} on the dialling side, {@link #open} and {@link Opened} on the relay.
 */
public final class Preambles {

    private static final byte[] INFO = TunnelProtocol.PREAMBLE_INFO.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ANSWER_LABEL = TunnelProtocol.ANSWER_EXPORT_LABEL.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROOF_LABEL = TunnelProtocol.PROOF_LABEL.getBytes(StandardCharsets.US_ASCII);

    /** The fixed part of a preamble, read and checked before its body is allocated. */
    public record Header(byte[] keyId, byte[] encapsulatedKey, int bodyLength) {
    }

    /** True when {@code first4} starts a zerogate preamble (anything else goes to the relay's HTTP/gRPC server). */
    public static boolean isPreamble(ByteBuffer first4) {
        if (first4.remaining() < 4) {
            return false;
        }
        for (int i = 0; i < 4; i++) {
            if (first4.get(first4.position() + i) != TunnelProtocol.PREAMBLE_MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /** Reads the {@link TunnelProtocol#PREAMBLE_HEADER_BYTES}-byte header. */
    public static Header readHeader(ByteBuffer in) throws ProtocolViolation {
        if (in.remaining() < TunnelProtocol.PREAMBLE_HEADER_BYTES || !isPreamble(in)) {
            throw new ProtocolViolation("not a zerogate preamble");
        }
        in.position(in.position() + 4);
        byte[] keyId = new byte[TunnelProtocol.RELAY_KEY_ID_BYTES];
        in.get(keyId);
        byte[] enc = new byte[TunnelProtocol.ENCAPSULATED_KEY_BYTES];
        in.get(enc);
        int length = in.getShort() & 0xFFFF;
        if (length == 0 || length > TunnelProtocol.MAX_SEALED_PREAMBLE) {
            throw new ProtocolViolation("a sealed preamble of " + length + " bytes; the limit is "
                    + TunnelProtocol.MAX_SEALED_PREAMBLE);
        }
        return new Header(keyId, enc, length);
    }

    /** The bytes the device key signs to prove it dialled this connection. */
    public static byte[] proofInput(byte[] keyId, byte[] encapsulatedKey, long sentAtUnixMs) {
        return ByteBuffer.allocate(PROOF_LABEL.length + keyId.length + encapsulatedKey.length + 8)
                .put(PROOF_LABEL).put(keyId).put(encapsulatedKey).putLong(sentAtUnixMs).array();
    }

    /** The dialling side of one relay connection: seals one preamble and opens its answer. */
    public static final class Sealer {
        private final RelayKey relay;
        private final HPKEContextWithEncapsulation context;

        public Sealer(RelayKey relay) {
            this.relay = relay;
            this.context = RelayKey.hpke().setupBaseS(relay.publicParameter(), INFO);
        }

        public byte[] encapsulatedKey() {
            return context.getEncapsulation().clone();
        }

        public byte[] keyId() {
            return relay.keyId();
        }

        /** The whole preamble, header and sealed body, ready to write. */
        public byte[] seal(RelayPreamble preamble) {
            byte[] plaintext = preamble.toByteArray();
            int sealedLength = plaintext.length + 16;
            if (sealedLength > TunnelProtocol.MAX_SEALED_PREAMBLE) {
                throw new IllegalArgumentException("preamble of " + plaintext.length + " bytes is too large");
            }
            ByteBuffer header = ByteBuffer.allocate(TunnelProtocol.PREAMBLE_HEADER_BYTES)
                    .put(TunnelProtocol.PREAMBLE_MAGIC).put(relay.keyId()).put(context.getEncapsulation())
                    .putShort((short) sealedLength);
            byte[] aad = header.array();
            try {
                byte[] sealed = context.seal(aad, plaintext);
                return ByteBuffer.allocate(aad.length + sealed.length).put(aad).put(sealed).array();
            } catch (InvalidCipherTextException e) {
                throw new IllegalStateException("HPKE seal failed", e);
            }
        }

        /** Opens the relay's answer body (after its 2-byte length). */
        public RelayAnswer openAnswer(byte[] sealedAnswer) throws ProtocolViolation {
            byte[] plaintext = answerCipher(context, Cipher.DECRYPT_MODE, sealedAnswer);
            try {
                return RelayAnswer.parseFrom(plaintext);
            } catch (InvalidProtocolBufferException e) {
                throw new ProtocolViolation("unreadable relay answer");
            }
        }
    }

    /** A preamble the relay opened. */
    public static final class Opened {
        private final RelayPreamble preamble;
        private final Header header;
        private final HPKEContext context;

        private Opened(RelayPreamble preamble, Header header, HPKEContext context) {
            this.preamble = preamble;
            this.header = header;
            this.context = context;
        }

        public RelayPreamble preamble() {
            return preamble;
        }

        public byte[] encapsulatedKey() {
            return header.encapsulatedKey().clone();
        }

        public byte[] keyId() {
            return header.keyId().clone();
        }

        /** The answer, sealed and length-prefixed, ready to write. */
        public byte[] sealAnswer(RelayAnswer answer) {
            byte[] sealed = answerCipher(context, Cipher.ENCRYPT_MODE, answer.toByteArray());
            return ByteBuffer.allocate(2 + sealed.length).putShort((short) sealed.length).put(sealed).array();
        }
    }

    /**
     * Opens a preamble body with the relay's key. Fails for another relay's key, a body that
     * does not authenticate against its header, or one that does not parse.
     */
    public static Opened open(RelayKey own, Header header, byte[] sealedBody) throws ProtocolViolation {
        if (!Arrays.equals(header.keyId(), own.keyId())) {
            throw new ProtocolViolation("the preamble is sealed to another relay key");
        }
        HPKEContext context;
        byte[] plaintext;
        try {
            context = RelayKey.hpke().setupBaseR(header.encapsulatedKey(), own.pair(), INFO);
            byte[] aad = ByteBuffer.allocate(TunnelProtocol.PREAMBLE_HEADER_BYTES).put(TunnelProtocol.PREAMBLE_MAGIC)
                    .put(header.keyId()).put(header.encapsulatedKey()).putShort((short) sealedBody.length).array();
            plaintext = context.open(aad, sealedBody);
        } catch (InvalidCipherTextException | IllegalArgumentException e) {
            throw new ProtocolViolation("the preamble does not open with this relay's key");
        }
        try {
            return new Opened(RelayPreamble.parseFrom(plaintext), header, context);
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolViolation("unreadable preamble body");
        }
    }

    /**
     * Reads the answer's 2-byte length and checks it; {@link TunnelProtocol#KEY_UNKNOWN_ANSWER_LENGTH}
     * means the relay's key id follows instead of a sealed answer.
     */
    public static int answerLength(ByteBuffer twoBytes) throws ProtocolViolation {
        int length = twoBytes.getShort() & 0xFFFF;
        if (length > TunnelProtocol.MAX_SEALED_ANSWER) {
            throw new ProtocolViolation("a relay answer of " + length + " bytes; the limit is " + TunnelProtocol.MAX_SEALED_ANSWER);
        }
        return length;
    }

    private static byte[] answerCipher(HPKEContext context, int mode, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, new SecretKeySpec(context.export(ANSWER_LABEL, 16), "AES"),
                    new GCMParameterSpec(128, new byte[12]));
            return cipher.doFinal(input);
        } catch (GeneralSecurityException e) {
            if (mode == Cipher.DECRYPT_MODE) {
                throw new IllegalArgumentException("the relay answer does not authenticate", e);
            }
            throw new IllegalStateException(e);
        }
    }

    private Preambles() {
    }
}
