package dev.zerogate.client.login;

import dev.zerogate.tunnel.KeyThumbprints;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * This device's key pair (EC P-256), made once and kept in the config directory (0600). The
 * tokens of every login are bound to it by its RFC 7638 thumbprint; later, the device
 * certificate is issued for it.
 */
public final class DeviceKey {

    static final String FILE = "device.key";

    private final ECPublicKey publicKey;
    private final ECPrivateKey privateKey;

    private DeviceKey(ECPublicKey publicKey, ECPrivateKey privateKey) {
        this.publicKey = publicKey;
        this.privateKey = privateKey;
    }

    /**
     * The device key, generated and stored on first use. The file holds two base64 lines:
     * the PKCS#8 private key and the X.509 public key.
     */
    public static DeviceKey loadOrCreate(ConfigDirectory config) throws IOException, GeneralSecurityException {
        Path file = config.path(FILE);
        KeyFactory ec = KeyFactory.getInstance("EC");
        if (Files.exists(file)) {
            String[] lines = Files.readString(file, StandardCharsets.US_ASCII).strip().split("\n");
            if (lines.length != 2) {
                throw new GeneralSecurityException(file + " is not a zerogate device key; move it away to make a new one");
            }
            Base64.Decoder base64 = Base64.getDecoder();
            return new DeviceKey(
                    (ECPublicKey) ec.generatePublic(new X509EncodedKeySpec(base64.decode(lines[1].strip()))),
                    (ECPrivateKey) ec.generatePrivate(new PKCS8EncodedKeySpec(base64.decode(lines[0].strip()))));
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        Base64.Encoder base64 = Base64.getEncoder();
        String content = base64.encodeToString(pair.getPrivate().getEncoded()) + "\n"
                + base64.encodeToString(pair.getPublic().getEncoded()) + "\n";
        config.writePrivate(FILE, content.getBytes(StandardCharsets.US_ASCII));
        return new DeviceKey((ECPublicKey) pair.getPublic(), (ECPrivateKey) pair.getPrivate());
    }

    /** RFC 7638 thumbprint, as the tokens' and grants' {@code cnf.jkt} name it. */
    public String thumbprint() {
        return KeyThumbprints.of(publicKey);
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public ECPublicKey publicKey() {
        return publicKey;
    }

    @Override
    public String toString() {
        return "DeviceKey[" + thumbprint() + "]";
    }
}
