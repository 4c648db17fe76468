package dev.zerogate.identity.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TotpTest {

    /** RFC 6238 Appendix B's SHA1 secret, the ASCII bytes of "12345678901234567890", in base32. */
    private static final String RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    private final Totp totp = new Totp();

    @Test
    void rfcSecretEncodesAsExpected() {
        assertEquals(RFC_SECRET, Base32.encode("12345678901234567890".getBytes(StandardCharsets.US_ASCII)));
    }

    /** RFC 6238 Appendix B, SHA1 rows; the RFC prints 8 digits, a 6-digit code is their last 6. */
    @ParameterizedTest
    @CsvSource({
            "59,          94287082",
            "1111111109,  07081804",
            "1111111111,  14050471",
            "1234567890,  89005924",
            "2000000000,  69279037",
            "20000000000, 65353130",
    })
    void matchesRfc6238TestVectors(long unixSeconds, String eightDigits) {
        String code = eightDigits.substring(2);
        long step = unixSeconds / 30;
        assertEquals(code, totp.code(RFC_SECRET, step));
        assertEquals(OptionalLong.of(step), totp.matchStep(RFC_SECRET, code, Instant.ofEpochSecond(unixSeconds)));
    }

    @ParameterizedTest
    @CsvSource({
            "-2, false",
            "-1, true",
            " 0, true",
            " 1, true",
            " 2, false",
    })
    void acceptsOneStepOfDriftEitherSideAndNoMore(long offset, boolean accepted) {
        Instant now = Instant.ofEpochSecond(1_111_111_111);
        long current = 1_111_111_111 / 30;
        String code = totp.code(RFC_SECRET, current + offset);
        OptionalLong expected = accepted ? OptionalLong.of(current + offset) : OptionalLong.empty();
        assertEquals(expected, totp.matchStep(RFC_SECRET, code, now));
    }

    @ParameterizedTest
    @CsvSource({
            // the same code, seen at the first and last second of each step of its window
            "29, 1",
            "30, 1",
            "59, 1",
            "60, 1",
            "89, 1",
            "90, -1",
    })
    void windowFollowsStepBoundaries(long unixSeconds, long expectedStep) {
        String codeOfStep1 = totp.code(RFC_SECRET, 1);
        OptionalLong expected = expectedStep < 0 ? OptionalLong.empty() : OptionalLong.of(expectedStep);
        assertEquals(expected, totp.matchStep(RFC_SECRET, codeOfStep1, Instant.ofEpochSecond(unixSeconds)));
    }

    @Test
    void replayedCodeReportsTheStepItWasMadeFor() {
        // The caller stores step 37037037 after the first use; replayed 30 s later the same code
        // still reports 37037037, not the current step, so "step > stored" refuses it.
        String code = totp.code(RFC_SECRET, 37_037_037);
        assertEquals(OptionalLong.of(37_037_037), totp.matchStep(RFC_SECRET, code, Instant.ofEpochSecond(37_037_037L * 30)));
        assertEquals(OptionalLong.of(37_037_037), totp.matchStep(RFC_SECRET, code, Instant.ofEpochSecond(37_037_038L * 30)));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "28708",      // 5 digits
            "2870820",    // 7 digits
            "94287082",   // the RFC's 8 digits
            "28708a",
            " 287082",
            "287082 ",
            "+28708",
            "-28708",
            "28 708",
            "٢٨٧٠٨٢",     // Arabic-Indic digits for 287082
            "２８７０８２", // full-width digits for 287082
    })
    void refusesCodesThatAreNotSixAsciiDigits(String code) {
        // At t = 59, "287082" is the valid code, so a refusal here is not a mismatch.
        Instant now = Instant.ofEpochSecond(59);
        assertTrue(totp.matchStep(RFC_SECRET, "287082", now).isPresent());
        assertEquals(OptionalLong.empty(), totp.matchStep(RFC_SECRET, code, now));
    }

    static Stream<Arguments> malformedSecrets() {
        return Stream.of(
                Arguments.of("null", null),
                Arguments.of("empty", ""),
                Arguments.of("lower case", RFC_SECRET.toLowerCase()),
                Arguments.of("padded", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ===="),
                Arguments.of("spaces", "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"),
                Arguments.of("digit 1", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1"),
                Arguments.of("impossible length", RFC_SECRET + "A"),
                Arguments.of("10 bytes, under 128 bits", "GEZDGNBVGY3TQOJQ"),
                Arguments.of("65 bytes", "A".repeat(104)),
                Arguments.of("a megabyte", "A".repeat(1 << 20)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedSecrets")
    void malformedSecretMatchesNothingAndNeverThrows(String why, String secret) {
        assertEquals(OptionalLong.empty(), totp.matchStep(secret, "287082", Instant.ofEpochSecond(59)), why);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedSecrets")
    void codeRefusesMalformedSecretWithoutRevealingIt(String why, String secret) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> totp.code(secret, 1), why);
        assertFalse(secret != null && !secret.isEmpty() && e.getMessage().contains(secret), e.getMessage());
    }

    @Test
    void codeRefusesNegativeStep() {
        assertThrows(IllegalArgumentException.class, () -> totp.code(RFC_SECRET, -1));
    }

    @Test
    void timesBeforeTheEpochMatchNothingBeforeStepZero() {
        String codeOfStep0 = totp.code(RFC_SECRET, 0);
        assertEquals(OptionalLong.of(0), totp.matchStep(RFC_SECRET, codeOfStep0, Instant.ofEpochSecond(-1)));
        assertEquals(OptionalLong.empty(), totp.matchStep(RFC_SECRET, codeOfStep0, Instant.ofEpochSecond(-61)));
    }

    @Test
    void newSecretIs160RandomBitsInBase32() {
        String first = Totp.newSecret();
        String second = Totp.newSecret();
        assertTrue(first.matches("[A-Z2-7]{32}"), first);
        assertEquals(20, Base32.decode(first, 64).length);
        assertNotEquals(first, second);
    }

    @Test
    void newSecretWorksForCurrentCode() {
        String secret = Totp.newSecret();
        Instant now = Instant.ofEpochSecond(1_700_000_000);
        long step = now.getEpochSecond() / 30;
        assertEquals(OptionalLong.of(step), totp.matchStep(secret, totp.code(secret, step), now));
    }

    @Test
    void otpauthUriPercentEncodesIssuerAndAccount() {
        assertEquals("otpauth://totp/Zero%20Gate:alice%20smith%40example.com"
                        + "?secret=" + RFC_SECRET
                        + "&issuer=Zero%20Gate&algorithm=SHA1&digits=6&period=30",
                Totp.otpauthUri("Zero Gate", "alice smith@example.com", RFC_SECRET));
    }

    @Test
    void otpauthUriEncodesUtf8AndCharactersThatWouldSplitTheQuery() {
        assertEquals("otpauth://totp/J%C3%BCrgen%26Co:a%2Bb%3Fc%3Dd%23e%2Ff~g_h-i.j"
                        + "?secret=" + RFC_SECRET
                        + "&issuer=J%C3%BCrgen%26Co&algorithm=SHA1&digits=6&period=30",
                Totp.otpauthUri("Jürgen&Co", "a+b?c=d#e/f~g_h-i.j", RFC_SECRET));
    }

    @ParameterizedTest
    @CsvSource(value = {
            "'',         alice",
            "Zero Gate,  ''",
            "Zero:Gate,  alice",
            "Zero Gate,  alice:admin",
            "NULL,       alice",
            "Zero Gate,  NULL",
    }, nullValues = "NULL")
    void otpauthUriRefusesEmptyOrColonInLabel(String issuer, String account) {
        assertThrows(IllegalArgumentException.class, () -> Totp.otpauthUri(issuer, account, RFC_SECRET));
    }

    @Test
    void otpauthUriRefusesMalformedSecretWithoutRevealingIt() {
        String secret = "GEZDGNBVGY3TQOJQ&issuer=evil";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Totp.otpauthUri("Zero Gate", "alice", secret));
        assertFalse(e.getMessage().contains("GEZDGNBV"), e.getMessage());
    }
}
