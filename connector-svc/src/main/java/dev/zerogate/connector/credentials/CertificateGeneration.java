package dev.zerogate.connector.credentials;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * One generation of the connector's key and certificate: every renewal makes a new key, and key,
 * chain and trust anchors are replaced together. {@link #toString()} names the certificate, never
 * the key.
 *
 * @param number       1 for the bootstrap, one more for each renewal; names the files on disk
 * @param privateKey   the connector's EC P-256 key
 * @param chain        leaf first, then intermediates (1 to 4), issued by zerogate's CA for {@code privateKey}
 * @param trustAnchors zerogate's root certificates, to verify devices' certificates (1 to 4)
 * @param serial       the leaf's serial number, uppercase hex
 * @param renewAfter   when to renew: two thirds into the leaf's validity
 */
public record CertificateGeneration(long number, PrivateKey privateKey, List<X509Certificate> chain, List<X509Certificate> trustAnchors,
                                    String serial, Instant renewAfter) {

    public CertificateGeneration {
        chain = List.copyOf(chain);
        trustAnchors = List.copyOf(trustAnchors);
        if (chain.isEmpty() || trustAnchors.isEmpty()) {
            throw new IllegalArgumentException("a certificate generation needs a chain and at least one trust anchor");
        }
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    @Override
    public String toString() {
        return "CertificateGeneration[" + number + ", serial " + serial + ", not after " + notAfter() + "]";
    }
}
