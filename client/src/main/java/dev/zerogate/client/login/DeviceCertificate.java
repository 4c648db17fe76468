package dev.zerogate.client.login;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * This device's certificate and the CA it chains to, as enrolment or the last renewal left
 * them in {@code device.crt} and {@code ca.crt}. The end-to-end session presents the one and
 * trusts connectors by the other.
 */
public record DeviceCertificate(X509Certificate certificate, X509Certificate anchor) {

    Instant notBefore() {
        return certificate.getNotBefore().toInstant();
    }

    Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    /** What is on disk, or a message saying how to get it. */
    public static DeviceCertificate load(ConfigDirectory config) throws IOException {
        Path certificate = config.path(DeviceEnroller.CERTIFICATE_FILE);
        Path ca = config.path(DeviceEnroller.CA_FILE);
        if (!Files.exists(certificate) || !Files.exists(ca)) {
            throw new IOException("this device has no certificate yet: log in again with `zerogate login` to enrol it");
        }
        try (InputStream leaf = Files.newInputStream(certificate); InputStream root = Files.newInputStream(ca)) {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            return new DeviceCertificate((X509Certificate) factory.generateCertificate(leaf), (X509Certificate) factory.generateCertificate(root));
        } catch (GeneralSecurityException e) {
            throw new IOException("the device certificate cannot be read: log in again with `zerogate login`");
        }
    }

    @Override
    public String toString() {
        return "DeviceCertificate[until " + notAfter() + "]";
    }
}
