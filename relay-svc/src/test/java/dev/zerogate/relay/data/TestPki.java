package dev.zerogate.relay.data;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A throwaway deployment CA and server certificates for 127.0.0.1 and localhost, written as
 * certbot writes them (fullchain.pem: leaf then CA; privkey.pem: PKCS#8).
 */
public final class TestPki {

    /** A leaf certificate and its key. */
    public record Leaf(KeyPair key, X509Certificate certificate) {
    }

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private final KeyPair caKey;
    private final X509Certificate ca;

    public TestPki(String name) throws Exception {
        caKey = newKey();
        X500Name subject = new X500Name("CN=" + name);
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(SERIAL.getAndIncrement()),
                Date.from(Instant.now().minusSeconds(60)), Date.from(Instant.now().plusSeconds(7200)), subject, caKey.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        ca = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate())));
    }

    private TestPki(KeyPair caKey, X509Certificate ca) {
        this.caKey = caKey;
        this.ca = ca;
    }

    /**
     * The CA kept in {@code dir} (made there at the first call): a Quarkus test profile and the
     * test itself may run in different class loaders, so they share the CA through files.
     */
    public static synchronized TestPki loadOrCreate(Path dir) throws Exception {
        Path certFile = dir.resolve("ca.pem");
        Path keyFile = dir.resolve("ca-key.pem");
        if (Files.exists(keyFile)) {
            PemKeyPair pair = PemKeyPair.parse(Files.readAllBytes(certFile), Files.readAllBytes(keyFile));
            X509Certificate ca = pair.chain().get(0);
            return new TestPki(new KeyPair(ca.getPublicKey(), pair.key()), ca);
        }
        Files.createDirectories(dir);
        TestPki pki = new TestPki("zerogate relay test CA");
        pki.writeCa(certFile);
        replace(keyFile, pem("PRIVATE KEY", pki.caKey.getPrivate().getEncoded()));
        return pki;
    }

    public X509Certificate ca() {
        return ca;
    }

    /** A server certificate for 127.0.0.1 and localhost, named {@code CN=<commonName>}. */
    public Leaf leaf(String commonName) throws Exception {
        KeyPair key = newKey();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
                BigInteger.valueOf(SERIAL.getAndIncrement()), Date.from(Instant.now().minusSeconds(60)),
                Date.from(Instant.now().plusSeconds(7200)), new X500Name("CN=" + commonName), key.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate())));
        return new Leaf(key, certificate);
    }

    /** Writes {@code fullchain.pem} and {@code privkey.pem} into {@code dir}, each replaced atomically. */
    public void write(Leaf leaf, Path dir) throws Exception {
        writeChain(leaf.certificate(), dir);
        writeKey(leaf.key().getPrivate(), dir);
    }

    public void writeChain(X509Certificate leaf, Path dir) throws Exception {
        replace(dir.resolve("fullchain.pem"), pem("CERTIFICATE", leaf.getEncoded()) + pem("CERTIFICATE", ca.getEncoded()));
    }

    public static void writeKey(PrivateKey key, Path dir) throws IOException {
        replace(dir.resolve("privkey.pem"), pem("PRIVATE KEY", key.getEncoded()));
    }

    public void writeCa(Path file) throws Exception {
        replace(file, pem("CERTIFICATE", ca.getEncoded()));
    }

    /** A trust manager that trusts this CA only. */
    public X509TrustManager trustManager() throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setCertificateEntry("ca", ca);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return (X509TrustManager) factory.getTrustManagers()[0];
    }

    public static KeyPair newKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void replace(Path file, String content) throws IOException {
        Path temporary = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        Files.writeString(temporary, content, StandardCharsets.US_ASCII);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
