package dev.zerogate.tunnel;

import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A relay's X25519 key for sealed preambles: the private half on the relay, the public half
 * (32 bytes, text form {@code base64url}) with everyone who dials it. The key id is the first 8
 * bytes of the public key's SHA-256, so a relay can tell which of its keys a preamble used.
 */
public final class RelayKey {

    static HPKE hpke() {
        return new HPKE(HPKE.mode_base, HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM128);
    }

    private final byte[] publicKey;
    private final byte[] keyId;
    /** Null on the dialling side, which only has the public key. */
    private final AsymmetricCipherKeyPair pair;
    private final AsymmetricKeyParameter publicParameter;

    private RelayKey(byte[] publicKey, AsymmetricCipherKeyPair pair) {
        if (publicKey.length != TunnelProtocol.ENCAPSULATED_KEY_BYTES) {
            throw new IllegalArgumentException("a relay key is 32 bytes of X25519, not " + publicKey.length);
        }
        this.publicKey = publicKey.clone();
        this.pair = pair;
        this.publicParameter = hpke().deserializePublicKey(this.publicKey);
        this.keyId = Arrays.copyOf(sha256(publicKey), TunnelProtocol.RELAY_KEY_ID_BYTES);
    }

    /** A new key pair, for a relay's first start. */
    public static RelayKey generate() {
        HPKE hpke = hpke();
        AsymmetricCipherKeyPair pair = hpke.generatePrivateKey();
        return new RelayKey(hpke.serializePublicKey(pair.getPublic()), pair);
    }

    /** The relay's own key, from its stored private half. */
    public static RelayKey fromPrivate(byte[] privateKey) {
        HPKE hpke = hpke();
        // X25519: the public key follows from the private one.
        AsymmetricCipherKeyPair derived = hpke.deserializePrivateKey(privateKey,
                new org.bouncycastle.crypto.params.X25519PrivateKeyParameters(privateKey, 0).generatePublicKey().getEncoded());
        return new RelayKey(hpke.serializePublicKey(derived.getPublic()), derived);
    }

    /** A relay's public key, as a client or connector is given it. */
    public static RelayKey fromPublic(String text) {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a relay key is base64url text");
        }
        return new RelayKey(bytes, null);
    }

    public String publicText() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(publicKey);
    }

    public byte[] keyId() {
        return keyId.clone();
    }

    /** The key id as hex, for logs. */
    public String keyIdText() {
        return HexFormat.of().formatHex(keyId);
    }

    public byte[] privateBytes() {
        if (pair == null) {
            throw new IllegalStateException("this is only the public half of a relay key");
        }
        return hpke().serializePrivateKey(pair.getPrivate());
    }

    AsymmetricKeyParameter publicParameter() {
        return publicParameter;
    }

    AsymmetricCipherKeyPair pair() {
        if (pair == null) {
            throw new IllegalStateException("this is only the public half of a relay key");
        }
        return pair;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
