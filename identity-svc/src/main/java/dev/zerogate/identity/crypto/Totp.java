package dev.zerogate.identity.crypto;

import jakarta.inject.Singleton;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Time-based one-time passwords (RFC 6238) in the one profile every authenticator app
 * supports: HMAC-SHA1, 6 digits, 30-second steps counted from the Unix epoch. Secrets are
 * 20 random bytes (160 bits, RFC 4226's recommended length) exchanged as unpadded upper-case
 * base32, usually through the QR code of {@link #otpauthUri}.
 *
 * <p>A code proves possession of the secret only once: callers must keep, per user, the last
 * step that {@link #matchStep} returned and refuse a step that is not greater (see there).
 * Guessing 6 digits is a 1-in-10<sup>6</sup> chance per try and 3 steps are accepted, so
 * code checks must also be throttled like passwords.
 */
@Singleton
public class Totp {

    static final int DIGITS = 6;
    static final long STEP_SECONDS = 30;
    static final int SECRET_BYTES = 20;
    /** RFC 4226 section 4, R6: a shared secret of at least 128 bits. */
    static final int MIN_SECRET_BYTES = 16;
    /** HMAC-SHA1's block size; no authenticator app uses longer secrets. */
    static final int MAX_SECRET_BYTES = 64;
    /** Steps accepted either side of the current one, for clocks that drift and slow typists. */
    static final int DRIFT_STEPS = 1;

    private static final String HMAC = "HmacSHA1";
    private static final int MODULUS = 1_000_000; // 10^DIGITS
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Used by CDI and by tests; there is nothing to configure. */
    public Totp() {
    }

    /** A fresh random secret: 20 bytes from {@link SecureRandom}, as unpadded upper-case base32 (32 characters). */
    public static String newSecret() {
        byte[] secret = new byte[SECRET_BYTES];
        RANDOM.nextBytes(secret);
        try {
            return Base32.encode(secret);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /**
     * Finds the time step at which {@code code} is valid: the step of {@code now} or one step
     * either side of it.
     *
     * <p>Replay contract: a code stays valid for up to 90 seconds, so a caller must store the
     * returned step with the user (atomically with accepting the login) and accept a code only
     * when the returned step is strictly greater than the stored one. That refuses a second use
     * of the same code, and of any older code once a newer one was used. When a code happens to
     * match several steps of the window, the earliest is returned, so that a replay is never
     * let through by a coincidental match at a later step.
     *
     * <p>Never throws on user input: a {@code code} that is not exactly 6 ASCII digits, or a
     * missing or malformed secret, gives an empty result. All steps of the window are computed
     * and compared in constant time whatever the input.
     *
     * @param now the current time; not user input, must not be null
     * @return the matched step ({@code floor(epochSecond / 30)}), or empty
     */
    public OptionalLong matchStep(String base32Secret, String code, Instant now) {
        Objects.requireNonNull(now, "now");
        if (!isSixAsciiDigits(code)) {
            return OptionalLong.empty();
        }
        Mac mac = macOrNull(base32Secret);
        if (mac == null) {
            return OptionalLong.empty();
        }
        byte[] given = code.getBytes(StandardCharsets.US_ASCII);
        long current = Math.floorDiv(now.getEpochSecond(), STEP_SECONDS);
        long matched = -1;
        for (long step = current - DRIFT_STEPS; step <= current + DRIFT_STEPS; step++) {
            if (step < 0) {
                continue; // before 1970: no code exists there
            }
            byte[] expected = code(mac, step).getBytes(StandardCharsets.US_ASCII);
            if (MessageDigest.isEqual(expected, given) && matched < 0) {
                matched = step;
            }
        }
        return matched >= 0 ? OptionalLong.of(matched) : OptionalLong.empty();
    }

    /**
     * The 6-digit code for time step {@code step} (RFC 4226 HOTP with the step as counter),
     * zero-padded.
     *
     * @throws IllegalArgumentException when the secret is not unpadded upper-case base32 of
     *                                  16 to 64 bytes, or the step is negative; the message
     *                                  never holds the secret
     */
    public String code(String base32Secret, long step) {
        if (step < 0) {
            throw new IllegalArgumentException("TOTP step must not be negative");
        }
        Mac mac = macOrNull(base32Secret);
        if (mac == null) {
            throw new IllegalArgumentException("TOTP secret must be base32 of "
                    + MIN_SECRET_BYTES + " to " + MAX_SECRET_BYTES + " bytes");
        }
        return code(mac, step);
    }

    /**
     * The {@code otpauth://} URI that authenticator apps read from a QR code, in the form of
     * Google Authenticator's "Key Uri Format":
     * {@code otpauth://totp/<issuer>:<account>?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30}.
     * Issuer and account are percent-encoded as UTF-8 (everything but RFC 3986 unreserved
     * characters, so a space is {@code %20} and {@code @} is {@code %40}).
     *
     * @throws IllegalArgumentException when issuer or account is empty or holds a colon (the
     *                                  label separator, which apps do not agree how to escape),
     *                                  or the secret is not a valid secret; the message never
     *                                  holds the secret
     */
    public static String otpauthUri(String issuer, String account, String base32Secret) {
        requireLabelPart(issuer, "issuer");
        requireLabelPart(account, "account");
        Arrays.fill(decodeSecret(base32Secret), (byte) 0); // validates; also keeps '&' etc. out of the URI
        String encodedIssuer = percentEncode(issuer);
        return "otpauth://totp/" + encodedIssuer + ":" + percentEncode(account)
                + "?secret=" + base32Secret
                + "&issuer=" + encodedIssuer
                + "&algorithm=SHA1&digits=" + DIGITS + "&period=" + STEP_SECONDS;
    }

    private static boolean isSixAsciiDigits(String code) {
        if (code == null || code.length() != DIGITS) {
            return false;
        }
        for (int i = 0; i < DIGITS; i++) {
            char c = code.charAt(i);
            // Not Character.isDigit: that also accepts Arabic-Indic and other Unicode digits.
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** RFC 4226 section 5.3: HMAC of the 8-byte big-endian counter, dynamic truncation, mod 10^6. */
    private static String code(Mac mac, long step) {
        byte[] hmac = mac.doFinal(ByteBuffer.allocate(Long.BYTES).putLong(step).array());
        int offset = hmac[hmac.length - 1] & 0x0f;
        int binary = ((hmac[offset] & 0x7f) << 24)
                | ((hmac[offset + 1] & 0xff) << 16)
                | ((hmac[offset + 2] & 0xff) << 8)
                | (hmac[offset + 3] & 0xff);
        Arrays.fill(hmac, (byte) 0);
        // Integer.toString, not String.format: format uses the default locale's digits.
        String digits = Integer.toString(binary % MODULUS);
        return "0".repeat(DIGITS - digits.length()) + digits;
    }

    /** An HMAC-SHA1 keyed with the decoded secret, or null when the secret is missing or malformed. */
    private static Mac macOrNull(String base32Secret) {
        byte[] key;
        try {
            key = decodeSecret(base32Secret);
        } catch (IllegalArgumentException e) {
            return null;
        }
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 unavailable", e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    private static byte[] decodeSecret(String base32Secret) {
        if (base32Secret == null) {
            throw new IllegalArgumentException("TOTP secret missing");
        }
        byte[] key = Base32.decode(base32Secret, MAX_SECRET_BYTES);
        if (key.length < MIN_SECRET_BYTES) {
            Arrays.fill(key, (byte) 0);
            throw new IllegalArgumentException("TOTP secret shorter than " + MIN_SECRET_BYTES + " bytes");
        }
        return key;
    }

    private static void requireLabelPart(String value, String what) {
        if (value == null || value.isEmpty() || value.indexOf(':') >= 0) {
            throw new IllegalArgumentException(what + " must be non-empty and without ':'");
        }
    }

    /** RFC 3986 percent-encoding of the UTF-8 bytes of {@code text}, keeping only unreserved characters. */
    private static String percentEncode(String text) {
        StringBuilder encoded = new StringBuilder(text.length() * 3);
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            boolean unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~';
            if (unreserved) {
                encoded.append(c);
            } else {
                encoded.append('%').append(HEX[(b >> 4) & 0x0f]).append(HEX[b & 0x0f]);
            }
        }
        return encoded.toString();
    }
}
