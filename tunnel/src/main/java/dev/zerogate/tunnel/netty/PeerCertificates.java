package dev.zerogate.tunnel.netty;

import dev.zerogate.tunnel.KeyThumbprints;

import javax.net.ssl.X509TrustManager;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Who is at the other end of a session: certificates issued by zerogate's CA, naming
 * {@code spiffe://<domain>/device/<id>} or {@code spiffe://<domain>/connector/<id>}. Chains are
 * validated against the CA's trust anchors only (never the system's), without revocation
 * lists: revocations reach connectors through the policy stream instead.
 */
public final class PeerCertificates {

    /** The verified peer of a session. */
    public record Peer(String kind, String id, String keyThumbprint) {
        @Override
        public String toString() {
            return kind + "/" + id;
        }
    }

    /** The kind and id a certificate's SPIFFE URI names, if it names one. */
    public static Optional<Peer> peerOf(X509Certificate certificate) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return Optional.empty();
        }
        if (names == null) {
            return Optional.empty();
        }
        for (List<?> name : names) {
            if (name.size() == 2 && Integer.valueOf(6).equals(name.get(0)) && name.get(1) instanceof String uri
                    && uri.startsWith("spiffe://")) {
                String[] parts = uri.substring("spiffe://".length()).split("/");
                if (parts.length == 3 && (parts[1].equals("device") || parts[1].equals("connector"))) {
                    String thumbprint;
                    try {
                        thumbprint = KeyThumbprints.of(certificate.getPublicKey());
                    } catch (IllegalArgumentException e) {
                        return Optional.empty();
                    }
                    return Optional.of(new Peer(parts[1], parts[2], thumbprint));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A trust manager that accepts a chain only if it leads to one of the anchors and its leaf
     * names a peer the predicate accepts (for example "a connector with the id the relay named").
     */
    public static X509TrustManager trustManager(List<X509Certificate> anchors, Predicate<Peer> acceptable) {
        Set<TrustAnchor> trustAnchors = anchors.stream().map(a -> new TrustAnchor(a, null)).collect(Collectors.toSet());
        if (trustAnchors.isEmpty()) {
            throw new IllegalArgumentException("no trust anchors");
        }
        return new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                check(chain);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                check(chain);
            }

            private void check(X509Certificate[] chain) throws CertificateException {
                if (chain == null || chain.length == 0) {
                    throw new CertificateException("no certificate");
                }
                try {
                    PKIXParameters parameters = new PKIXParameters(trustAnchors);
                    parameters.setRevocationEnabled(false);
                    CertPathValidator.getInstance("PKIX").validate(
                            CertificateFactory.getInstance("X.509").generateCertPath(Arrays.asList(chain)), parameters);
                } catch (GeneralSecurityException e) {
                    throw new CertificateException("the certificate is not from this zerogate's CA: " + e.getMessage());
                }
                Peer peer = peerOf(chain[0]).orElseThrow(
                        () -> new CertificateException("the certificate names no zerogate device or connector"));
                if (!acceptable.test(peer)) {
                    throw new CertificateException("the certificate names " + peer + ", which is not the expected peer");
                }
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return anchors.toArray(X509Certificate[]::new);
            }
        };
    }

    private PeerCertificates() {
    }
}
