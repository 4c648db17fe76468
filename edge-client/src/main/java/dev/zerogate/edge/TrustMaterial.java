package dev.zerogate.edge;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Optional;

/**
 * Whom a client or connector trusts for TLS: the CAs of this machine's Java, plus the CAs of
 * {@code ZEROGATE_CA_FILE} (PEM) for a deployment with a private CA. Every TLS connection to
 * the deployment (identity HTTP and gRPC, policy gRPC, the relay's outer TLS and gRPC port)
 * uses {@link #trustManager()}, whose refusals name the problem
 * ({@link CertificateProblemException}).
 */
public final class TrustMaterial {

    public static final String CA_FILE_ENVIRONMENT = "ZEROGATE_CA_FILE";

    private final X509ExtendedTrustManager trustManager;
    private final Optional<Path> caFile;

    private TrustMaterial(X509ExtendedTrustManager trustManager, Optional<Path> caFile) {
        this.trustManager = trustManager;
        this.caFile = caFile;
    }

    /**
     * The system CAs plus those in {@code caFile}, if given.
     *
     * @throws IOException naming the file when it cannot be read or holds no certificate
     */
    public static TrustMaterial systemAnd(Optional<Path> caFile) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (X509Certificate system : defaultTrustManager(null).getAcceptedIssuers()) {
                store.setCertificateEntry("system-" + i++, system);
            }
            if (caFile.isPresent()) {
                for (Certificate extra : readPem(caFile.get())) {
                    store.setCertificateEntry("ca-file-" + i++, extra);
                }
            }
            return new TrustMaterial(new NamingTrustManager(defaultTrustManager(store)), caFile);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS trust: " + e.getMessage(), e);
        }
    }

    /** {@code ZEROGATE_CA_FILE}'s value (or {@code override}, e.g. {@code --ca-file}), as trust. */
    public static TrustMaterial fromEnvironment(String caFileValue) throws IOException {
        return systemAnd(Optional.ofNullable(caFileValue).filter(v -> !v.isBlank()).map(v -> Path.of(v.strip())));
    }

    private static Collection<? extends Certificate> readPem(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IOException("the CA file " + file + " (" + CA_FILE_ENVIRONMENT + ") cannot be read");
        }
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(file)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (CertificateException e) {
            throw new IOException("the CA file " + file + " (" + CA_FILE_ENVIRONMENT + ") is not PEM certificates: " + e.getMessage());
        }
        if (certificates.isEmpty()) {
            throw new IOException("the CA file " + file + " (" + CA_FILE_ENVIRONMENT + ") holds no certificate");
        }
        return certificates;
    }

    private static X509ExtendedTrustManager defaultTrustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager in this Java");
    }

    public X509ExtendedTrustManager trustManager() {
        return trustManager;
    }

    /** The private CA file in use, if any (for messages). */
    public Optional<Path> caFile() {
        return caFile;
    }

    /** An SSL context trusting these CAs, for the JDK's HTTP client. */
    public SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[]{trustManager}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a TLS context", e);
        }
    }

    /** The person-readable certificate problem somewhere in {@code failure}'s causes, if there is one. */
    public static Optional<String> certificateProblem(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CertificateProblemException problem) {
                return Optional.of(problem.getMessage());
            }
            for (Throwable suppressed : t.getSuppressed()) {
                Optional<String> found = certificateProblem(suppressed);
                if (found.isPresent()) {
                    return found;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return Optional.empty();
    }
}
