package dev.zerogate.identity.crypto;

import java.util.Arrays;

/**
 * RFC 4648 section 6 base32 (alphabet {@code A-Z2-7}), in the form authenticator apps use for
 * TOTP secrets: upper case and without {@code =} padding.
 *
 * <p>Decoding is strict so that each byte string has exactly one accepted text: only upper
 * case letters and digits 2-7, no padding or spaces, no length that no byte string encodes
 * to, and the unused low bits of the last character must be zero (RFC 4648 section 3.5).
 */
final class Base32 {

    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    private static final int BITS_PER_CHAR = 5;
    /** Character value by ASCII code, -1 for characters outside the alphabet. */
    private static final int[] VALUES = new int[128];

    static {
        Arrays.fill(VALUES, -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            VALUES[ALPHABET[i]] = i;
        }
    }

    private Base32() {
    }

    /** The base32 text of {@code bytes}: upper case, no padding; "" for no bytes. */
    static String encode(byte[] bytes) {
        StringBuilder text = new StringBuilder((bytes.length * 8 + BITS_PER_CHAR - 1) / BITS_PER_CHAR);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= BITS_PER_CHAR) {
                bits -= BITS_PER_CHAR;
                text.append(ALPHABET[(buffer >>> bits) & 0x1f]);
            }
        }
        if (bits > 0) {
            // The last character carries the remaining bits, padded with zeros on the right.
            text.append(ALPHABET[(buffer << (BITS_PER_CHAR - bits)) & 0x1f]);
        }
        return text.toString();
    }

    /**
     * The bytes that {@link #encode} turned into {@code text}.
     *
     * @param maxBytes the most bytes the caller accepts; checked on the text's length before
     *                 anything is allocated
     * @throws IllegalArgumentException when {@code text} is not canonical unpadded upper-case
     *                                  base32 or encodes more than {@code maxBytes}; the message
     *                                  never repeats the text (it is usually a secret)
     */
    static byte[] decode(String text, int maxBytes) {
        int length = text.length();
        long byteCount = (long) length * BITS_PER_CHAR / 8;
        if (byteCount > maxBytes) {
            throw new IllegalArgumentException("base32 text longer than " + maxBytes + " bytes");
        }
        // Unpadded base32 ends after 0, 2, 4, 5 or 7 characters of a final 8-character group.
        int tail = length % 8;
        if (tail == 1 || tail == 3 || tail == 6) {
            throw new IllegalArgumentException("base32 text has an impossible length");
        }
        byte[] bytes = new byte[(int) byteCount];
        int buffer = 0;
        int bits = 0;
        int next = 0;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            int value = c < VALUES.length ? VALUES[c] : -1;
            if (value < 0) {
                Arrays.fill(bytes, (byte) 0);
                throw new IllegalArgumentException("base32 text holds a character outside A-Z2-7");
            }
            buffer = (buffer << BITS_PER_CHAR) | value;
            bits += BITS_PER_CHAR;
            if (bits >= 8) {
                bits -= 8;
                bytes[next++] = (byte) (buffer >>> bits);
            }
        }
        if ((buffer & ((1 << bits) - 1)) != 0) {
            Arrays.fill(bytes, (byte) 0);
            throw new IllegalArgumentException("base32 text is not canonical (non-zero padding bits)");
        }
        return bytes;
    }
}
