package dev.zerogate.servicekit.keys;

import dev.zerogate.servicekit.secret.SecretSealer;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.lang.JoseException;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;

/**
 * Makes ES256 (P-256) signing keys and opens them again: the public half as a JWK whose
 * {@code kid} is its RFC 7638 thumbprint, the private half as PKCS#8 sealed with a
 * {@link SecretSealer} under {@code sealPrefix + kid}, so that a sealed key copied to another
 * row (another kid) or another service's table (another prefix) does not open.
 *
 * <p>Pure and thread-safe. The private key never leaves this class but as a {@link PrivateKey}
 * object; messages name the kid only.
 */
public final class SigningKeyMaterial {

    /** JWS algorithm of every key; one algorithm until a verifier needs another. */
    public static final String ALGORITHM = "ES256";

    /** A new key: what its row stores. */
    public record Generated(String kid, String publicJwk, byte[] privateKeySealed) {

        /** Names the key only: the sealed bytes are no business of a log line. */
        @Override
        public String toString() {
            return "Generated[kid=" + kid + "]";
        }
    }

    private final SecretSealer sealer;
    private final String sealPrefix;
    private final String label;

    /**
     * @param sealPrefix associated data before the kid, e.g. {@code "signing-key:"}; fixed for the
     *                   life of a table, since the keys already sealed depend on it
     * @param label      what the keys are called in errors and logs, e.g. {@code "signing key"}
     */
    public SigningKeyMaterial(SecretSealer sealer, String sealPrefix, String label) {
        this.sealer = sealer;
        this.sealPrefix = sealPrefix;
        this.label = label;
    }

    /** What these keys are called in errors and logs. */
    public String label() {
        return label;
    }

    /** Generates a key pair, publishes its public half as a JWK and seals its private half. */
    public Generated generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            PublicJsonWebKey jwk = PublicJsonWebKey.Factory.newPublicJwk(pair.getPublic());
            String kid = jwk.calculateBase64urlEncodedThumbprint("SHA-256");
            jwk.setKeyId(kid);
            jwk.setAlgorithm(ALGORITHM);
            jwk.setUse("sig");
            return new Generated(kid, jwk.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY),
                    sealer.seal(sealPrefix + kid, pair.getPrivate().getEncoded()));
        } catch (GeneralSecurityException | JoseException e) {
            throw new IllegalStateException("cannot generate a P-256 " + label, e);
        }
    }

    /**
     * Opens the private key that {@link #generate} sealed for {@code kid}.
     *
     * @throws IllegalArgumentException when it was sealed under another master key, prefix or kid
     * @throws IllegalStateException    when it opens but is not an EC private key
     */
    public PrivateKey open(String kid, byte[] privateKeySealed) {
        try {
            byte[] pkcs8 = sealer.open(sealPrefix + kid, privateKeySealed);
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(label + " " + kid + " is not a valid EC private key", e);
        }
    }
}
