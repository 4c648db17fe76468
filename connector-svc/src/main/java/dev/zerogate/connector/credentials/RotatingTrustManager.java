package dev.zerogate.connector.credentials;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A trust manager that accepts exactly the certificates zerogate's CA issued, by the trust
 * anchors of the connector's current credentials (PKIX path validation): the connector verifies
 * devices' client certificates with it. Follows a CA rotation without a new {@code SSLContext}.
 * Trusts nothing before the first credentials.
 */
public final class RotatingTrustManager extends X509ExtendedTrustManager {

    /** Replaced whole on each update; read by handshakes on any thread. */
    private volatile X509ExtendedTrustManager delegate;
    private volatile List<X509Certificate> anchors = List.of();

    /** Trusts {@code trustAnchors} from now on (and only them). */
    public void update(List<X509Certificate> trustAnchors) {
        if (trustAnchors.equals(anchors)) {
            return;
        }
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < trustAnchors.size(); i++) {
                store.setCertificateEntry("zerogate-" + i, trustAnchors.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager x509) {
                    delegate = x509;
                    anchors = List.copyOf(trustAnchors);
                    return;
                }
            }
            throw new IllegalStateException("the JVM's PKIX trust manager factory made no X.509 trust manager");
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a trust manager for the connector's trust anchors", e);
        }
    }

    private X509ExtendedTrustManager delegate() throws CertificateException {
        X509ExtendedTrustManager now = delegate;
        if (now == null) {
            throw new CertificateException("the connector has no trust anchors yet");
        }
        return now;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate().checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate().checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate().checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate().checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        delegate().checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        delegate().checkServerTrusted(chain, authType, engine);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return anchors.toArray(X509Certificate[]::new);
    }
}
