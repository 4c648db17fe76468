package dev.zerogate.identity.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PasswordHasherTest {

    private final PasswordHasher hasher = new PasswordHasher();

    /** Valid pieces to build malformed strings from: a 16-byte salt and a 32-byte hash. */
    private static final String SALT = "c29tZXNhbHRzb21lc2FsdA";
    private static final String HASH = "IX8rTqp0d9Pu37QS7l1Ix06hxksaav9Ey5Ztp+RIRS8";

    @Test
    void hashVerifiesWithTheSamePassword() {
        String phc = hasher.hash("correct horse battery staple".toCharArray());
        assertTrue(phc.matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), phc);
        assertTrue(hasher.verify("correct horse battery staple".toCharArray(), phc));
    }

    @Test
    void wrongPasswordDoesNotVerify() {
        String phc = hasher.hash("correct horse battery staple".toCharArray());
        assertFalse(hasher.verify("correct horse battery stapl".toCharArray(), phc));
        assertFalse(hasher.verify("Correct horse battery staple".toCharArray(), phc));
        assertFalse(hasher.verify(new char[0], phc));
    }

    @Test
    void samePasswordHashesDifferentlyEachTime() {
        String first = hasher.hash("hunter2".toCharArray());
        String second = hasher.hash("hunter2".toCharArray());
        assertNotEquals(first.split("\\$")[4], second.split("\\$")[4], "salt");
        assertNotEquals(first, second);
    }

    @Test
    void hashLeavesThePasswordArrayToTheCaller() {
        char[] password = "hunter2".toCharArray();
        hasher.hash(password);
        assertArrayEquals("hunter2".toCharArray(), password);
    }

    @Test
    void nonAsciiAndSupplementaryCharactersRoundTrip() {
        char[] password = "pässwörd € \uD83D\uDD11".toCharArray(); // the last is U+1F511, a surrogate pair
        assertTrue(hasher.verify(password, hasher.hash(password)));
    }

    /**
     * Vectors made with the reference implementation (Debian package argon2,
     * 0~20171227-0.3+deb12u1), e.g. for the first:
     * {@code echo -n 'correct horse battery staple' | argon2 zerogate-salt-01 -id -k 19456 -t 2 -p 1 -l 32 -e}.
     * They check the algorithm, the UTF-8 encoding of the password and the PHC format at once.
     */
    static Stream<Arguments> referenceVectors() {
        return Stream.of(
                // current parameters
                Arguments.of("correct horse battery staple",
                        "$argon2id$v=19$m=19456,t=2,p=1$emVyb2dhdGUtc2FsdC0wMQ$FK8vJ2suzUyYbZnGKOvrbWaMOzz2TlAyGdzTleP5GFY"),
                // echo -n password | argon2 somesaltsomesalt -id -m 15 -t 2 -p 1 -l 32 -e
                Arguments.of("password",
                        "$argon2id$v=19$m=32768,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$IX8rTqp0d9Pu37QS7l1Ix06hxksaav9Ey5Ztp+RIRS8"),
                // two lanes: -m 15 -t 3 -p 2
                Arguments.of("correct horse battery staple",
                        "$argon2id$v=19$m=32768,t=3,p=2$emVyb2dhdGUtc2FsdC0wMQ$ARFAEcjfo0BOsHvGFvAfADp/MsSQYmrfQgM0AOLgXoc"),
                // printf 'p\xc3\xa4ssw\xc3\xb6rd \xe2\x82\xac' | argon2 saltsaltsaltsalt -id -k 19456 -t 2 -p 1 -l 32 -e
                Arguments.of("pässwörd €",
                        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$1Zlkv/P3lzN81p7Faqa75LCcQ0li6j+8QxB+So7QmT0"),
                // at the limits: t=10, p=16, 8-byte salt, 16-byte hash (-k 128 -t 10 -p 16 -l 16, salt "saltsalt")
                Arguments.of("pw", "$argon2id$v=19$m=128,t=10,p=16$c2FsdHNhbHQ$ZMXjNUGiHcYllvWHt6r93w"),
                // at the limits: 64-byte salt and 64-byte hash (-k 64 -t 1 -p 8 -l 64, salt 64 x "S")
                Arguments.of("pw", "$argon2id$v=19$m=64,t=1,p=8$"
                        + "U1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTUw$"
                        + "piQP4fM6g0Di2d42Uzs+F3X5nde6z2Q+5S1/KLOJuqRh+ToXMqgyBmD/BPtiepy1udRYW4DuNNx5BG38yzWBJw"));
    }

    @ParameterizedTest
    @MethodSource("referenceVectors")
    void verifiesHashesFromTheReferenceImplementation(String password, String phc) {
        assertTrue(hasher.verify(password.toCharArray(), phc));
        assertFalse(hasher.verify((password + "x").toCharArray(), phc));
    }

    static Stream<Arguments> malformedOrRefused() {
        return Stream.of(
                Arguments.of("empty", ""),
                Arguments.of("not PHC", "hunter2"),
                Arguments.of("no leading $", "argon2id$v=19$m=32768,t=2,p=1$" + SALT + "$" + HASH),
                Arguments.of("leading space", " $argon2id$v=19$m=32768,t=2,p=1$" + SALT + "$" + HASH),
                Arguments.of("argon2i", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$vq9+v4uqxjn8BtH776ie/jNI4OMBCqdQVTbXyMflhrs"),
                Arguments.of("argon2d", "$argon2d$v=19$m=32768,t=2,p=1$" + SALT + "$" + HASH),
                Arguments.of("bcrypt", "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"),
                Arguments.of("version 1.0", "$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$Vci+SkbXnDXw9uhAL61usnFtY4Tkro0zht9b8DHUe/k"),
                Arguments.of("no version field", "$argon2id$m=32768,t=2,p=1$" + SALT + "$" + HASH),
                Arguments.of("missing hash", "$argon2id$v=19$m=32768,t=2,p=1$" + SALT),
                Arguments.of("empty hash", "$argon2id$v=19$m=32768,t=2,p=1$" + SALT + "$"),
                Arguments.of("missing salt and hash", "$argon2id$v=19$m=32768,t=2,p=1"),
                Arguments.of("extra field", "$argon2id$v=19$m=32768,t=2,p=1$" + SALT + "$" + HASH + "$"),
                Arguments.of("missing parameter", "$argon2id$v=19$m=32768,t=2$" + SALT + "$" + HASH),
                Arguments.of("extra parameter", "$argon2id$v=19$m=32768,t=2,p=1,keyid=a$" + SALT + "$" + HASH),
                Arguments.of("parameters reordered", "$argon2id$v=19$t=2,m=32768,p=1$" + SALT + "$" + HASH),
                Arguments.of("leading zero", "$argon2id$v=19$m=032768,t=2,p=1$" + SALT + "$" + HASH),
                Arguments.of("plus sign", "$argon2id$v=19$m=+32768,t=2,p=1$" + SALT + "$" + HASH),
                Arguments.of("negative", "$argon2id$v=19$m=-1,t=2,p=1$" + SALT + "$" + HASH),
                Arguments.of("not a number", "$argon2id$v=19$m=lots,t=2,p=1$" + SALT + "$" + HASH),
                Arguments.of("memory over 1 GiB", "$argon2id$v=19$m=1048577,t=2,p=1$" + SALT + "$" + HASH),
                Arguments.of("memory beyond int", "$argon2id$v=19$m=99999999999999999999,t=2,p=1$" + SALT + "$" + HASH),
                Arguments.of("memory under 8 per lane", "$argon2id$v=19$m=15,t=1,p=2$" + SALT + "$" + HASH),
                Arguments.of("zero iterations", "$argon2id$v=19$m=32768,t=0,p=1$" + SALT + "$" + HASH),
                Arguments.of("11 iterations (real hash)", "$argon2id$v=19$m=128,t=11,p=1$c2FsdHNhbHQ$27nZVI/W6Ch/VVPt2B0yN88TiYX2hySxW1YCDFamavE"),
                Arguments.of("zero lanes", "$argon2id$v=19$m=32768,t=2,p=0$" + SALT + "$" + HASH),
                Arguments.of("17 lanes (real hash)", "$argon2id$v=19$m=136,t=1,p=17$c2FsdHNhbHQ$druA9ZfndYkEDw8qJlOnuSyiMq7vnLEMeGIM1isHMDc"),
                Arguments.of("salt not base64", "$argon2id$v=19$m=32768,t=2,p=1$c29tZXNh!HRzb21lc2FsdA$" + HASH),
                Arguments.of("hash not base64", "$argon2id$v=19$m=32768,t=2,p=1$" + SALT + "$IX8rTqp0d9Pu37QS7l1Ix06hxksaav9Ey5Ztp-RIRS8"),
                Arguments.of("impossible base64 length", "$argon2id$v=19$m=32768,t=2,p=1$" + SALT + "$" + HASH + "AB"),
                Arguments.of("base64 padding", "$argon2id$v=19$m=32768,t=2,p=1$" + SALT + "==$" + HASH),
                Arguments.of("salt under 8 bytes", "$argon2id$v=19$m=32768,t=2,p=1$c2FsdHNhbA$" + HASH),
                Arguments.of("65-byte salt (real hash)", "$argon2id$v=19$m=64,t=1,p=8$"
                        + "U1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1M$"
                        + "jjChbPuQGz8y9O4PO99Fhl5LsvhdPYHipIvnq5eWfsQ"),
                Arguments.of("hash under 16 bytes", "$argon2id$v=19$m=32768,t=2,p=1$" + SALT + "$IX8rTqp0d9Pu37QS"),
                Arguments.of("65-byte hash (real hash)", "$argon2id$v=19$m=64,t=1,p=8$"
                        + "U1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTUw$"
                        + "L1AoA+QpU7wwEl0KrElHGfyys62k/+WD6zQ1/b/SMa6M+EIGkA/qU2RBX7H6dnRwr4wEberiG1SxPPYr+6B7Yr4"),
                Arguments.of("very long string", "$argon2id$v=19$m=32768,t=2,p=1$" + SALT + "$" + "A".repeat(100_000)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedOrRefused")
    void malformedUnsupportedOrAbsurdStoredHashIsFalseNotAnException(String why, String phc) {
        // The passwords these real hashes were made from: proves refusal is not a mismatch.
        assertFalse(hasher.verify("pw".toCharArray(), phc), why);
        assertFalse(hasher.verify("password".toCharArray(), phc), why);
        assertTrue(hasher.needsRehash(phc), why);
    }

    @Test
    void nullStoredHashOrPasswordIsFalse() {
        String phc = hasher.hash("pw".toCharArray());
        assertFalse(hasher.verify("pw".toCharArray(), null));
        assertFalse(hasher.verify(null, phc));
        assertTrue(hasher.needsRehash(null));
    }

    @Test
    void freshHashDoesNotNeedRehash() {
        assertFalse(hasher.needsRehash(hasher.hash("pw".toCharArray())));
        assertFalse(hasher.needsRehash(
                "$argon2id$v=19$m=19456,t=2,p=1$emVyb2dhdGUtc2FsdC0wMQ$FK8vJ2suzUyYbZnGKOvrbWaMOzz2TlAyGdzTleP5GFY"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "$argon2id$v=19$m=32768,t=2,p=1$" + SALT + "$" + HASH, // more memory
            "$argon2id$v=19$m=9216,t=4,p=1$" + SALT + "$" + HASH, // OWASP's other trade-off
            "$argon2id$v=19$m=19456,t=3,p=1$" + SALT + "$" + HASH, // more iterations
            "$argon2id$v=19$m=19456,t=2,p=2$" + SALT + "$" + HASH, // more lanes
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$" + HASH, // 8-byte salt
            "$argon2id$v=19$m=19456,t=2,p=1$" + SALT + "$IX8rTqp0d9Pu37QS7l1Ixw", // 16-byte hash
    })
    void otherParametersNeedRehash(String phc) {
        assertTrue(hasher.needsRehash(phc));
    }

    @Test
    void passwordOfMaximumLengthIsAccepted() {
        char[] password = new char[PasswordHasher.MAX_PASSWORD_CHARS];
        Arrays.fill(password, 'a');
        assertTrue(hasher.verify(password, hasher.hash(password)));
    }

    @Test
    void overLongPasswordIsRefusedWithoutRevealingIt() {
        char[] password = ("secret-" + "a".repeat(PasswordHasher.MAX_PASSWORD_CHARS)).toCharArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> hasher.hash(password));
        assertFalse(e.getMessage().contains("secret-"), e.getMessage());

        String phc = hasher.hash(Arrays.copyOf(password, PasswordHasher.MAX_PASSWORD_CHARS));
        assertFalse(hasher.verify(password, phc));
    }

    @Test
    void loneSurrogateIsRefused() {
        char[] password = {'p', 'w', '\uD83D'};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> hasher.hash(password));
        assertFalse(e.getMessage().contains("pw"), e.getMessage());
        assertFalse(hasher.verify(password, hasher.hash("pw".toCharArray())));
    }

    /**
     * Fuzz of the stored-string parser: character-level mutations of a valid string never throw.
     * Only needsRehash is called, so a mutation that still parses costs no hashing.
     */
    @Test
    void mutatedStoredHashesNeverThrow() {
        String valid = "$argon2id$v=19$m=19456,t=2,p=1$emVyb2dhdGUtc2FsdC0wMQ$FK8vJ2suzUyYbZnGKOvrbWaMOzz2TlAyGdzTleP5GFY";
        String alphabet = "$=,+/0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_!é\u0000";
        Random random = new Random(9106);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder mutated = new StringBuilder(valid);
            for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                int at = random.nextInt(mutated.length() + 1);
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                int operation = random.nextInt(3);
                if (operation == 0 || at == mutated.length()) {
                    mutated.insert(at, c);
                } else if (operation == 1) {
                    mutated.deleteCharAt(at);
                } else {
                    mutated.setCharAt(at, c);
                }
            }
            String phc = mutated.toString();
            boolean rehash = hasher.needsRehash(phc);
            if (!rehash) {
                // Whatever still parses with the current parameters has the current shape.
                assertTrue(phc.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), phc);
            }
        }
    }

    @Test
    void currentParametersAreOwaspsRecommendation() {
        assertEquals(19_456, PasswordHasher.MEMORY_KIB);
        assertEquals(2, PasswordHasher.ITERATIONS);
        assertEquals(1, PasswordHasher.PARALLELISM);
    }
}
