package dev.zerogate.identity.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Base32Test {

    /** RFC 4648 section 10, with the padding removed. */
    @ParameterizedTest
    @CsvSource({
            "'',       ''",
            "f,        MY",
            "fo,       MZXQ",
            "foo,      MZXW6",
            "foob,     MZXW6YQ",
            "fooba,    MZXW6YTB",
            "foobar,   MZXW6YTBOI",
    })
    void matchesRfc4648TestVectors(String plain, String encoded) {
        byte[] bytes = plain.getBytes(StandardCharsets.US_ASCII);
        assertEquals(encoded, Base32.encode(bytes));
        assertArrayEquals(bytes, Base32.decode(encoded, 64));
    }

    @Test
    void roundTripsEveryLengthAndByteValue() {
        Random random = new Random(4648);
        for (int length = 0; length <= 64; length++) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            assertArrayEquals(bytes, Base32.decode(Base32.encode(bytes), 64), "length " + length);
        }
        byte[] allValues = new byte[256];
        for (int i = 0; i < allValues.length; i++) {
            allValues[i] = (byte) i;
        }
        assertArrayEquals(allValues, Base32.decode(Base32.encode(allValues), 256));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "my",          // lower case
            "MY======",    // padding
            "MZXW 6",      // space
            "MZXW0",       // 0, 1, 8 and 9 are not in the alphabet
            "MZXW1",
            "MZXW8",
            "MZXWÉ",
            "A",           // lengths that no byte string encodes to
            "AAA",
            "AAAAAA",
            "MZ",          // "f" with a non-zero unused bit: only MY is canonical
            "MZXW6YR",     // "foob" likewise: only MZXW6YQ is canonical
    })
    void refusesNonCanonicalText(String text) {
        assertThrows(IllegalArgumentException.class, () -> Base32.decode(text, 64));
    }

    @Test
    void refusesTextLongerThanTheLimitBeforeDecoding() {
        assertEquals(5, Base32.decode("AAAAAAAA", 5).length);
        assertThrows(IllegalArgumentException.class, () -> Base32.decode("AAAAAAAAAA", 5));
        assertThrows(IllegalArgumentException.class, () -> Base32.decode("A".repeat(1 << 24), 64));
    }

    /** Fuzz: random text either fails with IllegalArgumentException or is the canonical encoding of what it decodes to. */
    @Test
    void randomTextIsRefusedOrCanonical() {
        Random random = new Random(6238);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abc01=- é";
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            char[] text = new char[random.nextInt(20)];
            for (int j = 0; j < text.length; j++) {
                // mostly valid characters, so that many inputs get past the first character
                text[j] = random.nextInt(10) == 0 ? alphabet.charAt(random.nextInt(alphabet.length()))
                        : alphabet.charAt(random.nextInt(32));
            }
            String input = new String(text);
            byte[] decoded;
            try {
                decoded = Base32.decode(input, 64);
            } catch (IllegalArgumentException refused) {
                continue;
            }
            accepted++;
            assertEquals(input, Base32.encode(decoded));
        }
        assertTrue(accepted > 1000, "accepted " + accepted);
    }
}
