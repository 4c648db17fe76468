package dev.zerogate.relay.service;

import dev.zerogate.relay.config.RelayConfig;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Whom the relay trusts when it calls identity-svc and policy-svc over https: the system's CAs,
 * plus those of {@code ZEROGATE_CA_FILE} when a deployment runs its own CA. One trust manager
 * for every outgoing TLS (gRPC, the JWKS fetch, the token endpoint); host names are always checked.
 */
@ApplicationScoped
public class ControlPlaneTrust {

    static final String CA_VARIABLE = "ZEROGATE_CA_FILE (zerogate.relay.ca-file)";

    private final X509TrustManager trustManager;
    private final SSLContext sslContext;

    @Inject
    ControlPlaneTrust(RelayConfig config) {
        this(config.caFile());
    }

    public ControlPlaneTrust(Optional<Path> caFile) {
        try {
            this.trustManager = trustManager(caFile);
            this.sslContext = SSLContext.getInstance("TLS");
            sslContext.init(null, new TrustManager[]{trustManager}, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up the trust for https control-plane URLs: " + e.getMessage(), e);
        }
    }

    public X509TrustManager trustManager() {
        return trustManager;
    }

    /** For the JDK's HTTP client. */
    public SSLContext sslContext() {
        return sslContext;
    }

    private static X509TrustManager trustManager(Optional<Path> caFile) throws GeneralSecurityException {
        X509TrustManager system = x509(null);
        if (caFile.isEmpty()) {
            return system;
        }
        List<Certificate> extra = readCertificates(caFile.get());
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        int i = 0;
        for (X509Certificate ca : system.getAcceptedIssuers()) {
            store.setCertificateEntry("system-" + i++, ca);
        }
        for (Certificate ca : extra) {
            store.setCertificateEntry("deployment-" + i++, ca);
        }
        Log.infof("trusting %d CA certificate(s) of %s for https control-plane URLs, besides the system's", extra.size(), caFile.get());
        return x509(store);
    }

    private static List<Certificate> readCertificates(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new IllegalStateException(CA_VARIABLE + " names " + file + ", which holds no PEM certificate");
            }
            return new ArrayList<>(certificates);
        } catch (IOException e) {
            throw new IllegalStateException(CA_VARIABLE + " names " + file + ", which cannot be read: " + e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(CA_VARIABLE + " names " + file + ", which is not PEM certificates: " + e.getMessage());
        }
    }

    private static X509TrustManager x509(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }
}
