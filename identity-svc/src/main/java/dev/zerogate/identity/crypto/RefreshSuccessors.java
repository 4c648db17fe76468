package dev.zerogate.identity.crypto;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;

/**
 * Seals a refresh token's successor so that only the holder of the spent token can read it
 * back: a client that retries a refresh whose response it lost gets the same successor again
 * (see {@code service.ReplayVerdict}).
 *
 * <p>The key is HKDF-SHA256 (RFC 5869) of the spent token's ASCII bytes, with an empty salt and
 * the info {@value #INFO}, 32 bytes; the database holds only SHA-256 of the token, which is not
 * that key, so a database leak opens nothing. AES-256-GCM with a random 96-bit nonce and the
 * spent token's SHA-256 (its row's primary key) as associated data.
 *
 * <p>Sealed layout: {@code nonce (12 bytes) | ciphertext | tag (16 bytes)}. Pure and thread-safe.
 */
public final class RefreshSuccessors {

    static final String INFO = "zerogate refresh successor v1";
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private RefreshSuccessors() {
    }

    /** Seals {@code successor} so that it opens only with {@code spent}. */
    public static byte[] seal(String spent, String successor) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keyOf(spent), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(OpaqueTokens.digest(spent));
            byte[] sealed = cipher.doFinal(successor.getBytes(StandardCharsets.US_ASCII));
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /**
     * Opens what {@link #seal} made for {@code spent}; empty for another token, or a missing,
     * truncated or altered value (fails closed: no partial plaintext).
     */
    public static Optional<String> open(String spent, byte[] sealed) {
        if (sealed == null || sealed.length < NONCE_BYTES + TAG_BITS / 8) {
            return Optional.empty();
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, keyOf(spent), new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
            cipher.updateAAD(OpaqueTokens.digest(spent));
            byte[] successor = cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
            return Optional.of(new String(successor, StandardCharsets.US_ASCII));
        } catch (AEADBadTagException e) {
            return Optional.empty();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    private static SecretKeySpec keyOf(String spent) {
        return new SecretKeySpec(hkdf(new byte[0], spent.getBytes(StandardCharsets.US_ASCII),
                INFO.getBytes(StandardCharsets.US_ASCII), KEY_BYTES), "AES");
    }

    /** HKDF-SHA256 (RFC 5869): extract, then expand to {@code length} bytes (at most 255 × 32). */
    static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) {
        if (length < 0 || length > 255 * 32) {
            throw new IllegalArgumentException("HKDF-SHA256 yields 0 to 8160 bytes, not " + length);
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            // An empty salt means HashLen zero bytes (§2.2); SecretKeySpec refuses an empty key.
            mac.init(new SecretKeySpec(salt.length == 0 ? new byte[mac.getMacLength()] : salt, "HmacSHA256"));
            byte[] prk = mac.doFinal(ikm);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            byte[] okm = new byte[length];
            byte[] block = new byte[0];
            for (int offset = 0, counter = 1; offset < length; offset += block.length, counter++) {
                mac.update(block);
                mac.update(info);
                mac.update((byte) counter);
                block = mac.doFinal();
                System.arraycopy(block, 0, okm, offset, Math.min(block.length, length - offset));
            }
            Arrays.fill(prk, (byte) 0);
            return okm;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }
}
