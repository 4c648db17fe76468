package dev.zerogate.servicekit.edge;

import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.client.WebClientOptions;

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
import java.util.Collection;
import java.util.Optional;

/**
 * What a service trusts when it calls another zerogate service over HTTPS: the system's CAs,
 * plus the certificates of {@code ZEROGATE_CA_FILE} (PEM, one or more) for a deployment with a
 * private CA. Host names are still checked by the callers' TLS engines.
 */
public final class DeploymentTrust {

    private final X509TrustManager trustManager;
    private final int extraCertificates;

    private DeploymentTrust(X509TrustManager trustManager, int extraCertificates) {
        this.trustManager = trustManager;
        this.extraCertificates = extraCertificates;
    }

    /**
     * The system's CAs and those of {@code caFile}, if given.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no certificate
     */
    public static DeploymentTrust systemAnd(Optional<Path> caFile) {
        try {
            X509TrustManager system = trustManager(null);
            if (caFile.isEmpty()) {
                return new DeploymentTrust(system, 0);
            }
            Collection<? extends Certificate> extra = read(caFile.get());
            KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            anchors.load(null, null);
            int n = 0;
            for (X509Certificate ca : system.getAcceptedIssuers()) {
                anchors.setCertificateEntry("system-" + n++, ca);
            }
            int i = 0;
            for (Certificate ca : extra) {
                anchors.setCertificateEntry("deployment-" + i++, ca);
            }
            return new DeploymentTrust(trustManager(anchors), extra.size());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the trust store: " + e.getMessage(), e);
        }
    }

    private static Collection<? extends Certificate> read(Path file) {
        String variable = EdgeSettings.variable(EdgeSettings.CA_FILE);
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(file)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new IllegalArgumentException(variable + ": cannot read " + file.toAbsolutePath() + " (" + e + ")", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(variable + ": " + file.toAbsolutePath() + " holds no readable PEM certificate (" + e.getMessage() + ")", e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(variable + ": " + file.toAbsolutePath() + " holds no certificate");
        }
        return certificates;
    }

    private static X509TrustManager trustManager(KeyStore anchors) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(anchors);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new IllegalStateException("the JDK offers no X.509 trust manager");
    }

    /** The trust manager, for clients built elsewhere (a gRPC channel's TLS credentials). */
    public X509TrustManager trustManager() {
        return trustManager;
    }

    /** How many certificates the CA file added (0 without one). */
    public int extraCertificates() {
        return extraCertificates;
    }

    /** Vert.x web client options that trust these CAs and check host names. */
    public WebClientOptions webClientOptions() {
        return new WebClientOptions().setTrustOptions(TrustOptions.wrap(trustManager)).setVerifyHost(true);
    }
}
