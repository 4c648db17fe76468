package dev.zerogate.tunnel;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;

/**
 * RFC 7638 JWK SHA-256 thumbprints of P-256 public keys: how a grant's {@code cnf.jkt} names
 * the device key that must present it.
 */
public final class KeyThumbprints {

    /** The thumbprint of a P-256 key; fails for any other kind of key. */
    public static String of(PublicKey key) {
        if (!(key instanceof ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
            throw new IllegalArgumentException("device keys are ECDSA P-256, not " + key.getAlgorithm());
        }
        String jwk = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + coordinate(ec.getW().getAffineX())
                + "\",\"y\":\"" + coordinate(ec.getW().getAffineY()) + "\"}";
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(jwk.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** A P-256 coordinate as exactly 32 big-endian bytes, base64url. */
    private static String coordinate(BigInteger value) {
        byte[] raw = value.toByteArray();
        byte[] fixed = new byte[32];
        int copy = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - copy, fixed, 32 - copy, copy);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(fixed);
    }

    private KeyThumbprints() {
    }
}
