package dev.zerogate.connector.credentials;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/**
 * The connector's keys: EC P-256, made on the connector and never sent anywhere; identity-svc
 * sees only a PKCS#10 request for the public half (the CLI makes its device key the same way).
 * Signing goes through the JDK's providers, so no BouncyCastle provider is registered.
 */
public final class ConnectorKeys {

    /** The CSR's subject; identity-svc ignores it and names the connector in the certificate's URI SAN. */
    static final X500Name SUBJECT = new X500Name("CN=zerogate connector");

    private ConnectorKeys() {
    }

    public static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make EC P-256 keys", e);
        }
    }

    /** A DER PKCS#10 request for {@code key}'s public half, signed with its private half. */
    public static byte[] csr(KeyPair key) {
        try {
            return new JcaPKCS10CertificationRequestBuilder(SUBJECT, key.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()))
                    .getEncoded();
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot sign a certificate request", e);
        }
    }
}
