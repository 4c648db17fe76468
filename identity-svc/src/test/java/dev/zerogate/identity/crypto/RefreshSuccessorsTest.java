package dev.zerogate.identity.crypto;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class RefreshSuccessorsTest {

    private static final HexFormat HEX = HexFormat.of();

    /** RFC 5869 Appendix A, the SHA-256 cases with short inputs (1: salt and info; 3: neither). */
    @ParameterizedTest
    @CsvSource({
            "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b, 000102030405060708090a0b0c, f0f1f2f3f4f5f6f7f8f9, "
                    + "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
            "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b, '', '', "
                    + "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
    })
    void hkdfMatchesRfc5869TestVectors(String ikm, String salt, String info, String okm) {
        assertEquals(okm, HEX.formatHex(RefreshSuccessors.hkdf(HEX.parseHex(salt), HEX.parseHex(ikm), HEX.parseHex(info), 42)));
    }

    @Test
    void theKeyIsWhatBouncyCastlesHkdfDerivesFromTheToken() {
        String token = OpaqueTokens.newToken();
        byte[] ikm = token.getBytes(StandardCharsets.US_ASCII);
        byte[] info = RefreshSuccessors.INFO.getBytes(StandardCharsets.US_ASCII);
        HKDFBytesGenerator generator = new HKDFBytesGenerator(new SHA256Digest());
        generator.init(new HKDFParameters(ikm, null, info));
        byte[] expected = new byte[32];
        generator.generateBytes(expected, 0, expected.length);
        assertEquals(HEX.formatHex(expected), HEX.formatHex(RefreshSuccessors.hkdf(new byte[0], ikm, info, 32)));
        assertFalse(Arrays.equals(expected, OpaqueTokens.digest(token)), "the database's digest is not the key");
    }

    @Test
    void opensWithTheSpentTokenToTheSuccessor() {
        String spent = OpaqueTokens.newToken();
        String successor = OpaqueTokens.newToken();
        byte[] sealed = RefreshSuccessors.seal(spent, successor);
        assertEquals(Optional.of(successor), RefreshSuccessors.open(spent, sealed));
        assertEquals(12 + successor.length() + 16, sealed.length, "nonce, ciphertext, tag");
        assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains(successor), "not in clear");
        assertNotEquals(HEX.formatHex(sealed), HEX.formatHex(RefreshSuccessors.seal(spent, successor)), "a fresh nonce each time");
    }

    @Test
    void anotherTokenCannotOpenIt() {
        String spent = OpaqueTokens.newToken();
        byte[] sealed = RefreshSuccessors.seal(spent, OpaqueTokens.newToken());
        assertEquals(Optional.empty(), RefreshSuccessors.open(OpaqueTokens.newToken(), sealed));
        // One character off is another token.
        char last = spent.charAt(spent.length() - 1);
        String neighbour = spent.substring(0, spent.length() - 1) + (last == 'A' ? 'B' : 'A');
        assertEquals(Optional.empty(), RefreshSuccessors.open(neighbour, sealed));
    }

    @Test
    void anyAlteredByteFailsClosed() {
        String spent = OpaqueTokens.newToken();
        byte[] sealed = RefreshSuccessors.seal(spent, OpaqueTokens.newToken());
        for (int i = 0; i < sealed.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] altered = sealed.clone();
                altered[i] ^= (byte) (1 << bit);
                assertEquals(Optional.empty(), RefreshSuccessors.open(spent, altered), "byte " + i + " bit " + bit);
            }
        }
    }

    @Test
    void missingTruncatedOrExtendedValuesFailClosed() {
        String spent = OpaqueTokens.newToken();
        byte[] sealed = RefreshSuccessors.seal(spent, OpaqueTokens.newToken());
        assertEquals(Optional.empty(), RefreshSuccessors.open(spent, null));
        for (int length = 0; length < sealed.length; length++) {
            assertEquals(Optional.empty(), RefreshSuccessors.open(spent, Arrays.copyOf(sealed, length)), "first " + length + " bytes");
        }
        assertEquals(Optional.empty(), RefreshSuccessors.open(spent, Arrays.copyOf(sealed, sealed.length + 1)));
    }
}
