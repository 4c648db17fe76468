package dev.zerogate.identity.crypto;

import jakarta.inject.Singleton;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * Password hashes for built-in accounts: Argon2id (RFC 9106) with OWASP's recommended
 * parameters, m = 19456 KiB, t = 2, p = 1, a 16-byte random salt and a 32-byte hash.
 *
 * <p>Hashes are stored as the PHC string that libsodium and the reference {@code argon2} tool
 * write, so they can be moved to or from other systems:
 * {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}, salt and hash in standard base64
 * without padding. {@link #verify} reads the parameters from the stored string, so hashes
 * made with older parameters keep working; {@link #needsRehash} says when to upgrade one
 * (after a successful login, when the plain password is at hand).
 *
 * <p>Each call costs about 19 MiB of memory and tens of milliseconds of CPU on purpose:
 * call it off the event loop and behind {@code service.LoginThrottle}.
 *
 * <p>Passwords are encoded as UTF-8 (what the {@code argon2} tool hashes when fed the same
 * text). The password-derived bytes are zeroed after use; the caller owns and should zero
 * the {@code char[]}.
 */
@Singleton
public class PasswordHasher {

    static final int MEMORY_KIB = 19_456;
    static final int ITERATIONS = 2;
    static final int PARALLELISM = 1;
    static final int SALT_BYTES = 16;
    static final int HASH_BYTES = 32;

    /**
     * Longest accepted password. Argon2 itself accepts any length, but hashing starts with a
     * BLAKE2b pass over the whole password, so an unbounded password lets an unauthenticated
     * caller buy server CPU for the price of upload bandwidth. 1024 characters is far beyond
     * any passphrase or password-manager output.
     */
    static final int MAX_PASSWORD_CHARS = 1024;

    // What verify() accepts from a stored string. Everything is checked before any memory is
    // allocated, so a tampered or imported hash cannot make us allocate gigabytes or spin for
    // minutes. The lower bounds are those of the Argon2 reference implementation (m >= 8p,
    // salt >= 8 bytes); the hash floor is higher than its 4 bytes because we never write
    // shorter than 32 and a short hash makes a wrong password matching by chance plausible.
    static final int MAX_MEMORY_KIB = 1024 * 1024; // 1 GiB
    static final int MAX_ITERATIONS = 10;
    static final int MAX_PARALLELISM = 16;
    static final int MIN_SALT_BYTES = 8;
    static final int MAX_SALT_BYTES = 64;
    static final int MIN_HASH_BYTES = 16;
    static final int MAX_HASH_BYTES = 64;

    /** Only Argon2 version 1.3 (0x13 = 19), the one every current implementation writes. */
    private static final String VERSION_FIELD = "v=19";
    private static final String ALGORITHM = "argon2id";
    /** Longest base64 text (without padding) for {@link #MAX_SALT_BYTES}/{@link #MAX_HASH_BYTES}. */
    private static final int MAX_BASE64_CHARS = (Math.max(MAX_SALT_BYTES, MAX_HASH_BYTES) * 4 + 2) / 3;
    /** Longer than any string verify() could accept; checked before splitting. */
    private static final int MAX_PHC_CHARS = 256;
    /** Decimal digits in the largest parameter we accept (1048576). */
    private static final int MAX_PARAMETER_DIGITS = 7;
    /** UTF-8 needs at most 3 bytes per Java char (a surrogate pair, 2 chars, takes 4 bytes). */
    private static final int MAX_UTF8_BYTES_PER_CHAR = 3;

    private static final Base64.Encoder BASE64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder BASE64_DECODER = Base64.getDecoder();

    private final SecureRandom random = new SecureRandom();

    /** Used by CDI and by tests; there is nothing to configure. */
    public PasswordHasher() {
    }

    /**
     * Hashes {@code password} with a fresh random salt and the current parameters.
     *
     * <p>Two calls with the same password return different strings. The password array is
     * not modified.
     *
     * @return a PHC string, {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}
     * @throws IllegalArgumentException when the password is longer than
     *                                  {@value #MAX_PASSWORD_CHARS} characters or is not valid
     *                                  UTF-16 (a lone surrogate); the message never holds the password
     */
    public String hash(char[] password) {
        byte[] passwordBytes = utf8(password);
        if (passwordBytes == null) {
            throw new IllegalArgumentException("password must be valid text of at most "
                    + MAX_PASSWORD_CHARS + " characters");
        }
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] hash = argon2id(passwordBytes, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
        try {
            return "$" + ALGORITHM + "$" + VERSION_FIELD + "$" + parameters(MEMORY_KIB, ITERATIONS, PARALLELISM)
                    + "$" + BASE64.encodeToString(salt) + "$" + BASE64.encodeToString(hash);
        } finally {
            Arrays.fill(hash, (byte) 0);
        }
    }

    /**
     * Whether {@code password} is the one {@code phc} was made from.
     *
     * <p>Never throws: a null, malformed or unsupported stored string (another algorithm,
     * another Argon2 version, parameters beyond the limits above), an over-long password or a
     * password that is not valid UTF-16 all give {@code false}. Limits are checked before
     * any memory is allocated. The hashes are compared in constant time.
     */
    public boolean verify(char[] password, String phc) {
        Phc stored = Phc.parse(phc);
        if (stored == null) {
            return false;
        }
        byte[] passwordBytes = utf8(password);
        if (passwordBytes == null) {
            return false;
        }
        byte[] candidate = argon2id(passwordBytes, stored.salt, stored.memoryKib, stored.iterations,
                stored.parallelism, stored.hash.length);
        try {
            return MessageDigest.isEqual(candidate, stored.hash);
        } finally {
            Arrays.fill(candidate, (byte) 0);
        }
    }

    /**
     * Whether {@code phc} should be replaced by a fresh {@link #hash} at the next successful
     * login: true when its algorithm or parameters (memory, iterations, parallelism, salt or
     * hash length) differ from the current ones, or when it cannot be parsed at all.
     */
    public boolean needsRehash(String phc) {
        Phc stored = Phc.parse(phc);
        return stored == null
                || stored.memoryKib != MEMORY_KIB
                || stored.iterations != ITERATIONS
                || stored.parallelism != PARALLELISM
                || stored.salt.length != SALT_BYTES
                || stored.hash.length != HASH_BYTES;
    }

    /**
     * Runs Argon2id and zeroes {@code passwordBytes} before returning. A fresh generator per
     * call: it holds the memory blocks and is not thread-safe.
     */
    private static byte[] argon2id(byte[] passwordBytes, byte[] salt, int memoryKib, int iterations,
                                   int parallelism, int hashBytes) {
        try {
            Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                    .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                    .withMemoryAsKB(memoryKib)
                    .withIterations(iterations)
                    .withParallelism(parallelism)
                    .withSalt(salt)
                    .build();
            Argon2BytesGenerator generator = new Argon2BytesGenerator();
            generator.init(parameters);
            byte[] out = new byte[hashBytes];
            generator.generateBytes(passwordBytes, out);
            return out;
        } finally {
            Arrays.fill(passwordBytes, (byte) 0);
        }
    }

    /**
     * The UTF-8 bytes of {@code password}, or null when it is null, longer than
     * {@value #MAX_PASSWORD_CHARS} characters or holds a lone surrogate. Encodes into one
     * buffer sized up front (and zeroed afterwards) instead of {@code new String(password)},
     * so that no copy of the password is left behind for the garbage collector.
     */
    private static byte[] utf8(char[] password) {
        if (password == null || password.length > MAX_PASSWORD_CHARS) {
            return null;
        }
        byte[] buffer = new byte[password.length * MAX_UTF8_BYTES_PER_CHAR];
        try {
            CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            ByteBuffer out = ByteBuffer.wrap(buffer);
            CoderResult result = encoder.encode(CharBuffer.wrap(password), out, true);
            if (result.isError() || result.isOverflow() || encoder.flush(out).isError()) {
                return null;
            }
            return Arrays.copyOf(buffer, out.position());
        } finally {
            Arrays.fill(buffer, (byte) 0);
        }
    }

    private static String parameters(int memoryKib, int iterations, int parallelism) {
        return "m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism;
    }

    /** A stored hash that passed every limit; {@link #parse} is the only way to make one. */
    private record Phc(int memoryKib, int iterations, int parallelism, byte[] salt, byte[] hash) {

        /**
         * Reads {@code $argon2id$v=19$m=<m>,t=<t>,p=<p>$<salt>$<hash>} strictly (fields in that
         * order, decimal without sign or leading zeros, base64 without padding), or returns null.
         */
        static Phc parse(String phc) {
            if (phc == null || phc.length() > MAX_PHC_CHARS) {
                return null;
            }
            // "", algorithm, version, parameters, salt, hash; -1 keeps trailing empty fields.
            String[] fields = phc.split("\\$", -1);
            if (fields.length != 6 || !fields[0].isEmpty() || !ALGORITHM.equals(fields[1])
                    || !VERSION_FIELD.equals(fields[2])) {
                return null;
            }
            String[] parameters = fields[3].split(",", -1);
            if (parameters.length != 3) {
                return null;
            }
            int memoryKib = parameter(parameters[0], "m=", MAX_MEMORY_KIB);
            int iterations = parameter(parameters[1], "t=", MAX_ITERATIONS);
            int parallelism = parameter(parameters[2], "p=", MAX_PARALLELISM);
            if (iterations < 1 || parallelism < 1 || memoryKib < 8 * parallelism) {
                return null; // also catches the -1 that parameter() returns for a bad field
            }
            byte[] salt = base64(fields[4], MIN_SALT_BYTES, MAX_SALT_BYTES);
            byte[] hash = base64(fields[5], MIN_HASH_BYTES, MAX_HASH_BYTES);
            if (salt == null || hash == null) {
                return null;
            }
            return new Phc(memoryKib, iterations, parallelism, salt, hash);
        }

        /** The value of {@code name=<decimal>} if it is at most {@code max}, else -1. */
        private static int parameter(String field, String name, int max) {
            if (!field.startsWith(name)) {
                return -1;
            }
            String digits = field.substring(name.length());
            if (digits.isEmpty() || digits.length() > MAX_PARAMETER_DIGITS
                    || (digits.length() > 1 && digits.charAt(0) == '0')) {
                return -1;
            }
            int value = 0;
            for (int i = 0; i < digits.length(); i++) {
                char c = digits.charAt(i);
                if (c < '0' || c > '9') {
                    return -1;
                }
                value = value * 10 + (c - '0');
            }
            return value <= max ? value : -1;
        }

        /** Decoded standard base64 without padding, if its length is within bounds; else null. */
        private static byte[] base64(String text, int minBytes, int maxBytes) {
            if (text.isEmpty() || text.length() > MAX_BASE64_CHARS || text.indexOf('=') >= 0) {
                return null;
            }
            byte[] bytes;
            try {
                bytes = BASE64_DECODER.decode(text);
            } catch (IllegalArgumentException e) {
                return null;
            }
            return bytes.length >= minBytes && bytes.length <= maxBytes ? bytes : null;
        }
    }
}
