package dev.zerogate.testkit.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A throwaway web PKI for tests of public endpoints: a root CA that issues server
 * certificates for host names and IP addresses, written as PEM files in the layout certbot
 * leaves ({@code fullchain.pem}, {@code privkey.pem}) plus the CA alone ({@code ca.pem}) for
 * the trusting side's {@code ZEROGATE_CA_FILE}.
 */
public final class WebPki {

    /** A server certificate and its key, as files. */
    public record ServerFiles(Path fullchain, Path privkey, X509Certificate certificate) {
    }

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private final X500Name name;
    private final KeyPair key;
    private final X509Certificate certificate;

    private WebPki(String commonName) throws Exception {
        name = new X500Name("CN=" + commonName);
        key = newKey();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, nextSerial(),
                Date.from(Instant.now().minus(Duration.ofHours(1))), Date.from(Instant.now().plus(Duration.ofDays(30))), name,
                key.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        certificate = sign(builder);
    }

    /** A new root CA named {@code commonName}. */
    public static WebPki rootCa(String commonName) throws Exception {
        return new WebPki(commonName);
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** Writes the CA certificate alone, for the side that trusts it. */
    public Path writeCa(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, pem(certificate), StandardCharsets.US_ASCII);
        return file;
    }

    /** A server certificate valid now for 30 days, for {@code names} (host names or IP literals). */
    public ServerFiles issueServer(Path directory, String... names) throws Exception {
        Instant now = Instant.now();
        return issueServer(directory, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(30)), names);
    }

    /** A server certificate valid from {@code notBefore} to {@code notAfter} (an expired one, say). */
    public ServerFiles issueServer(Path directory, Instant notBefore, Instant notAfter, String... names) throws Exception {
        KeyPair leafKey = newKey();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, nextSerial(), Date.from(notBefore),
                Date.from(notAfter), new X500Name("CN=" + names[0]), leafKey.getPublic());
        List<GeneralName> alternatives = new ArrayList<>();
        for (String each : names) {
            alternatives.add(isAddress(each) ? new GeneralName(GeneralName.iPAddress, each) : new GeneralName(GeneralName.dNSName, each));
        }
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternatives.toArray(GeneralName[]::new)));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        X509Certificate leaf = sign(builder);
        Files.createDirectories(directory);
        Path fullchain = directory.resolve("fullchain.pem");
        Path privkey = directory.resolve("privkey.pem");
        // Written to temporary names and moved, as certbot swaps its symlinks: a reader never sees half a file.
        Path chainTemporary = Files.createTempFile(directory, "fullchain", ".tmp");
        Path keyTemporary = Files.createTempFile(directory, "privkey", ".tmp");
        Files.writeString(chainTemporary, pem(leaf) + pem(certificate), StandardCharsets.US_ASCII);
        Files.writeString(keyTemporary, "-----BEGIN PRIVATE KEY-----\n" + base64(leafKey.getPrivate().getEncoded())
                + "-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
        Files.move(keyTemporary, privkey, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Files.move(chainTemporary, fullchain, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return new ServerFiles(fullchain, privkey, leaf);
    }

    /** PEM text of a certificate. */
    public static String pem(X509Certificate certificate) {
        try {
            return "-----BEGIN CERTIFICATE-----\n" + base64(certificate.getEncoded()) + "-----END CERTIFICATE-----\n";
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base64(byte[] der) {
        return Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der) + "\n";
    }

    private static boolean isAddress(String name) {
        if (!name.matches("[0-9.]+") && !name.contains(":")) {
            return false;
        }
        try {
            InetAddress.getByName(name);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private X509Certificate sign(JcaX509v3CertificateBuilder builder) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
    }

    private static BigInteger nextSerial() {
        return BigInteger.valueOf(SERIAL.getAndIncrement());
    }

    private static KeyPair newKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }
}
