package dev.zerogate.relay.data;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A certificate chain and its private key read from PEM as certbot writes them
 * ({@code fullchain.pem}: leaf first; {@code privkey.pem}: PKCS#8). The key must belong to the
 * leaf: a pair caught half-way through a renewal is refused rather than served. Error messages
 * name the problem, never the key's bytes.
 */
record PemKeyPair(PrivateKey key, List<X509Certificate> chain) {

    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final Pattern OTHER_KEY = Pattern.compile("-----BEGIN ([A-Z ]*)PRIVATE KEY-----");
    private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA", "Ed25519", "Ed448");

    static PemKeyPair parse(byte[] chainPem, byte[] keyPem) throws GeneralSecurityException {
        List<X509Certificate> chain = readChain(chainPem);
        PrivateKey key = readKey(new String(keyPem, StandardCharsets.US_ASCII));
        checkBelongs(key, chain.get(0));
        return new PemKeyPair(key, chain);
    }

    private static List<X509Certificate> readChain(byte[] pem) throws CertificateException {
        List<X509Certificate> chain = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))
                .stream().map(X509Certificate.class::cast).toList();
        if (chain.isEmpty()) {
            throw new CertificateException("the certificate file holds no PEM certificate");
        }
        return chain;
    }

    private static PrivateKey readKey(String pem) throws GeneralSecurityException {
        Matcher pkcs8 = PKCS8.matcher(pem);
        if (!pkcs8.find()) {
            Matcher other = OTHER_KEY.matcher(pem);
            throw new GeneralSecurityException(other.find()
                    ? "the key file holds a '" + other.group(1) + "PRIVATE KEY'; convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)"
                    : "the key file holds no PEM private key");
        }
        byte[] der = Base64.getMimeDecoder().decode(pkcs8.group(1));
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException wrongAlgorithm) {
                // try the next
            }
        }
        throw new GeneralSecurityException("the key file's PKCS#8 key is not EC, RSA or EdDSA");
    }

    /** Signs a probe with the key and verifies it with the leaf's public key. */
    private static void checkBelongs(PrivateKey key, X509Certificate leaf) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> key.getAlgorithm();
        };
        byte[] probe = "zerogate relay key check".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        try {
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException otherKind) {
            // falls through to the refusal below
        }
        throw new GeneralSecurityException("the private key does not belong to the first certificate of the chain ("
                + leaf.getSubjectX500Principal().getName() + ")");
    }
}
