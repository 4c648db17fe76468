package dev.zerogate.client.login;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

/** Self-signed stand-ins for a device certificate and its CA: only their validity matters to the keeper. */
final class TestCertificates {

    private static final KeyPair KEY;

    static {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            KEY = generator.generateKeyPair();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private TestCertificates() {
    }

    static DeviceCertificate valid(Instant notBefore, Instant notAfter) {
        X509Certificate certificate = certificate("CN=zerogate device", notBefore, notAfter);
        return new DeviceCertificate(certificate, certificate);
    }

    /** Writes {@code certificate} as device.crt and ca.crt, as enrolment or a renewal leaves them. */
    static DeviceCertificate saved(ConfigDirectory config, DeviceCertificate certificate) throws Exception {
        config.writePrivate(DeviceEnroller.CERTIFICATE_FILE, pem(certificate.certificate()));
        config.writePrivate(DeviceEnroller.CA_FILE, pem(certificate.anchor()));
        return DeviceCertificate.load(config);
    }

    private static X509Certificate certificate(String subject, Instant notBefore, Instant notAfter) {
        try {
            return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(new X500Name(subject),
                    BigInteger.valueOf(notAfter.toEpochMilli()), Date.from(notBefore), Date.from(notAfter), new X500Name(subject),
                    KEY.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(KEY.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] pem(X509Certificate certificate) throws IOException {
        try {
            return ("-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(certificate.getEncoded()) + "\n-----END CERTIFICATE-----\n").getBytes(StandardCharsets.US_ASCII);
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IOException(e);
        }
    }
}
