package dev.zerogate.testkit.tls;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test CA and a server certificate for {@code 127.0.0.1} / {@code localhost}, written as
 * certbot leaves them: {@code fullchain.pem} (leaf, then CA) and {@code privkey.pem}, plus the
 * CA alone in {@code ca.pem}. {@link #renew} replaces both files (as {@code certbot renew}
 * does) with a new leaf of a new serial, in the key form asked for.
 */
public final class TestTlsFiles {

    /** The private-key encodings certbot and other tools write. */
    public enum KeyForm {
        /** {@code BEGIN PRIVATE KEY} (PKCS#8), EC P-256. */
        PKCS8_EC,
        /** {@code BEGIN EC PRIVATE KEY} (SEC 1). */
        TRADITIONAL_EC,
        /** {@code BEGIN RSA PRIVATE KEY} (PKCS#1), RSA 2048. */
        TRADITIONAL_RSA
    }

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private final KeyPair caKey;
    private final X509Certificate ca;
    private final Path directory;
    private volatile X509Certificate leaf;
    private volatile KeyPair leafKey;

    /** A new CA and a first leaf (PKCS#8 EC) in {@code directory}. */
    public TestTlsFiles(Path directory) {
        try {
            this.directory = Files.createDirectories(directory);
            caKey = ec();
            X500Name name = new X500Name("CN=zerogate edge test CA");
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(Instant.now().minusSeconds(60)), Date.from(Instant.now().plusSeconds(86_400)), name, caKey.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            ca = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate())));
            Files.writeString(caFile(), pem(ca), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        renew(KeyForm.PKCS8_EC);
    }

    public Path certFile() {
        return directory.resolve("fullchain.pem");
    }

    public Path keyFile() {
        return directory.resolve("privkey.pem");
    }

    public Path caFile() {
        return directory.resolve("ca.pem");
    }

    /** The serial of the leaf now in the files. */
    public BigInteger serial() {
        return leaf.getSerialNumber();
    }

    /** Writes a new leaf and key (new serial) over the files, each replaced atomically. */
    public synchronized void renew(KeyForm form) {
        try {
            KeyPair key = form == KeyForm.TRADITIONAL_RSA ? rsa() : ec();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name("CN=zerogate edge test CA"),
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(Instant.now().minusSeconds(60)),
                    Date.from(Instant.now().plusSeconds(86_400)), new X500Name("CN=127.0.0.1"), key.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
            X509Certificate issued = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate())));
            StringWriter keyPem = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(keyPem)) {
                if (form == KeyForm.PKCS8_EC) {
                    writer.writeObject(new JcaPKCS8Generator(key.getPrivate(), null));
                } else if (form == KeyForm.TRADITIONAL_EC) {
                    writer.writeObject(sec1(key));
                } else {
                    writer.writeObject(key.getPrivate());
                }
            }
            replace(keyFile(), keyPem.toString());
            replace(certFile(), pem(issued) + pem(ca));
            leafKey = key;
            leaf = issued;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client TLS context that trusts only this CA. */
    public SSLContext clientContext() {
        try {
            KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            anchors.load(null, null);
            anchors.setCertificateEntry("ca", ca);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(anchors);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A server TLS context presenting the current leaf (for test servers other than Quarkus). */
    public SSLContext serverContext() {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("leaf", leafKey.getPrivate(), new char[0], new java.security.cert.Certificate[] {leaf, ca});
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keys, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(factory.getKeyManagers(), null, null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void replace(Path file, String text) throws IOException {
        Path temporary = Files.createTempFile(directory, file.getFileName().toString(), ".tmp");
        Files.writeString(temporary, text, StandardCharsets.US_ASCII);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * {@code EC PRIVATE KEY} as OpenSSL writes it: with the curve and the public key (SEC 1,
     * RFC 5915), which readers need; BouncyCastle's own writer leaves the curve out.
     */
    private static PemObject sec1(KeyPair key) throws IOException {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getPrivate().getEncoded());
        ASN1ObjectIdentifier curve = ASN1ObjectIdentifier.getInstance(info.getPrivateKeyAlgorithm().getParameters());
        BigInteger d = ((java.security.interfaces.ECPrivateKey) key.getPrivate()).getS();
        DERBitString publicKey = new DERBitString(SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()).getPublicKeyData().getOctets());
        return new PemObject("EC PRIVATE KEY", new ECPrivateKey(256, d, publicKey, curve).getEncoded());
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    private static KeyPair ec() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }
}
