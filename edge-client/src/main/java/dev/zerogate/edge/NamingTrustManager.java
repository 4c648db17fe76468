package dev.zerogate.edge;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The JDK's PKIX trust manager (host name checked as the engine's parameters ask), whose
 * refusals are replaced by one that names the problem: the certificate is for another name,
 * it expired, or no trusted CA signed it. Clients only: it never trusts a client certificate.
 */
final class NamingTrustManager extends X509ExtendedTrustManager {

    private final X509ExtendedTrustManager delegate;

    NamingTrustManager(X509ExtendedTrustManager delegate) {
        this.delegate = delegate;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        try {
            delegate.checkServerTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            throw explain(chain, authType, engine == null ? null : engine.getPeerHost(), e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        try {
            delegate.checkServerTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            String host = socket instanceof SSLSocket ssl && ssl.getHandshakeSession() != null ? ssl.getHandshakeSession().getPeerHost() : null;
            throw explain(chain, authType, host, e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            delegate.checkServerTrusted(chain, authType);
        } catch (CertificateException e) {
            throw explain(chain, authType, null, e);
        }
    }

    private CertificateProblemException explain(X509Certificate[] chain, String authType, String host, CertificateException cause) {
        String who = "the certificate of " + (host == null ? "the server" : host);
        if (chain == null || chain.length == 0) {
            return new CertificateProblemException(who + " is missing", cause);
        }
        X509Certificate leaf = chain[0];
        Instant now = Instant.now();
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            return new CertificateProblemException(who + " expired on " + leaf.getNotAfter().toInstant(), cause);
        }
        if (now.isBefore(leaf.getNotBefore().toInstant())) {
            return new CertificateProblemException(who + " is not valid before " + leaf.getNotBefore().toInstant()
                    + " (is this machine's clock right?)", cause);
        }
        try {
            // The chain alone, without the host name: if this passes, the name was the problem.
            delegate.checkServerTrusted(chain, authType);
        } catch (CertificateException chainProblem) {
            for (X509Certificate certificate : chain) {
                if (now.isAfter(certificate.getNotAfter().toInstant())) {
                    return new CertificateProblemException(who + " has an issuer certificate (" + certificate.getSubjectX500Principal()
                            + ") that expired on " + certificate.getNotAfter().toInstant(), cause);
                }
            }
            return new CertificateProblemException(who + " is not signed by a CA this machine trusts; for a private CA set "
                    + TrustMaterial.CA_FILE_ENVIRONMENT + " to its PEM file", cause);
        }
        return new CertificateProblemException(who + " is for " + String.join(", ", names(leaf)), cause);
    }

    /** The names a certificate is valid for: its DNS and IP subject alternative names, else its subject. */
    static List<String> names(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> alternative : alternatives) {
                    int type = (Integer) alternative.get(0);
                    if (type == 2 || type == 7) {
                        names.add(String.valueOf(alternative.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // Fall back to the subject below.
        }
        if (names.isEmpty()) {
            names.add(certificate.getSubjectX500Principal().getName());
        }
        return names;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("this trust manager checks servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("this trust manager checks servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("this trust manager checks servers only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
