package dev.zerogate.testkit.tls;

import dev.zerogate.testkit.identity.TestCa;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A throwaway private CA issuing web server certificates (DNS or IP names, chosen validity), as
 * a deployment behind a private CA or certbot would have; for tests of TLS trust and its error
 * messages on 127.0.0.1.
 */
public final class TestWebPki {

    /** A server's key and certificate, as a TLS server uses them. */
    public record ServerCertificate(KeyPair key, X509Certificate certificate, X509Certificate issuer) {

        /** A server-side SSL context presenting this certificate and its issuer. */
        public SSLContext serverContext() throws Exception {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key.getPrivate(), new char[0], new Certificate[]{certificate, issuer});
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        }
    }

    private static final AtomicLong SERIAL = new AtomicLong(1000);
    private final KeyPair key;
    private final X509Certificate certificate;
    private final X500Name name;

    public TestWebPki(String caName) throws Exception {
        key = TestCa.newKey();
        name = new X500Name("CN=" + caName);
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(SERIAL.getAndIncrement()),
                Date.from(Instant.now().minus(Duration.ofDays(30))), Date.from(Instant.now().plus(Duration.ofDays(30))), name, key.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        certificate = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A certificate valid now for an hour, for {@code names} (IP literals become IP names). */
    public ServerCertificate issue(String... names) throws Exception {
        return issue(Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600), names);
    }

    public ServerCertificate issue(Instant notBefore, Instant notAfter, String... names) throws Exception {
        KeyPair leafKey = TestCa.newKey();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(SERIAL.getAndIncrement()),
                Date.from(notBefore), Date.from(notAfter), new X500Name("CN=" + names[0]), leafKey.getPublic());
        GeneralName[] alternatives = new GeneralName[names.length];
        for (int i = 0; i < names.length; i++) {
            boolean ip = names[i].matches("[0-9.]+") || names[i].contains(":");
            alternatives[i] = new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, names[i]);
        }
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternatives));
        X509Certificate leaf = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
        return new ServerCertificate(leafKey, leaf, certificate);
    }

    /** Writes the CA certificate as PEM (what ZEROGATE_CA_FILE points at). */
    public Path writePem(Path file) throws Exception {
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        try {
            Files.writeString(file, pem);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return file;
    }
}
