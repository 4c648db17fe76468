package dev.zerogate.identity.service;

import dev.zerogate.identity.CertificateAuthorityRecord;
import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.identity.repository.CertificateAuthorityRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Date;

/**
 * zerogate's certificate authority (BouncyCastle): a P-256 root created at first start, its
 * private key sealed with the master key in the database. It issues short-lived client
 * certificates for device keys from PKCS#10 requests, naming the device as the URI SAN
 * {@code spiffe://<trust domain>/device/<id>}.
 *
 * <p>What a CSR must satisfy before anything is signed: at most {@link #MAX_CSR_BYTES}, a
 * valid self-signature (proof that the requester holds the key), and an ECDSA P-256 key.
 */
@ApplicationScoped
public class CertificateAuthority {

    public static final int MAX_CSR_BYTES = 4096;
    static final Duration CA_LIFETIME = Duration.ofDays(3650);
    private static final String SIGNATURE = "SHA256withECDSA";

    /** The CA as loaded: its certificate and key. */
    private record Loaded(X509Certificate certificate, PrivateKey key) {
    }

    /** An issued certificate with what the caller needs to describe it. */
    public record Issued(X509Certificate certificate, String serialHex) {
    }

    private final SecureRandom random = new SecureRandom();
    private final CertificateAuthorityRepository records;
    private final MasterKey masterKey;
    private final IdentityConfig config;
    private final Clock clock;
    private volatile Loaded loaded;

    CertificateAuthority(CertificateAuthorityRepository records, MasterKey masterKey, IdentityConfig config, Clock clock) {
        this.records = records;
        this.masterKey = masterKey;
        this.config = config;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent event) throws Throwable {
        loaded = VertxContextSupport.subscribeAndAwait(this::loadOrCreate);
        Log.infof("certificate authority %s, valid until %s", loaded.certificate().getSubjectX500Principal().getName(),
                loaded.certificate().getNotAfter().toInstant());
    }

    private Uni<Loaded> loadOrCreate() {
        return Panache.withTransaction(() -> records.findById(1).chain(existing -> existing != null
                        ? Uni.createFrom().item(existing)
                        : records.persist(newCa())))
                // Another replica created it in the meantime: use theirs.
                .onFailure(e -> String.valueOf(e.getMessage()).contains("certificate_authorities_pkey")
                        || (e.getCause() != null && String.valueOf(e.getCause().getMessage()).contains("certificate_authorities_pkey")))
                .recoverWithUni(() -> Panache.withSession(() -> records.findById(1)))
                .map(this::open);
    }

    /** The root certificate, DER: the trust anchor for every zerogate peer. */
    public X509Certificate rootCertificate() {
        return loaded.certificate();
    }

    /** The trust domain in SPIFFE names: the issuer's host name. */
    public String trustDomain() {
        String host = java.net.URI.create(config.issuer()).getHost();
        return host == null ? "zerogate" : host;
    }

    /**
     * Parses and checks a CSR: size, self-signature, ECDSA P-256 key.
     *
     * @throws IllegalArgumentException with a message for the caller when it does not hold
     */
    public PublicKey verifiedCsrKey(byte[] der) {
        if (der == null || der.length == 0 || der.length > MAX_CSR_BYTES) {
            throw new IllegalArgumentException("csr must be 1 to " + MAX_CSR_BYTES + " bytes of DER");
        }
        try {
            PKCS10CertificationRequest csr = new PKCS10CertificationRequest(der);
            PublicKey key = KeyFactory.getInstance("EC").generatePublic(
                    new X509EncodedKeySpec(csr.getSubjectPublicKeyInfo().getEncoded()));
            if (!(key instanceof ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
                throw new IllegalArgumentException("csr key must be ECDSA P-256");
            }
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
                throw new IllegalArgumentException("csr signature does not verify");
            }
            return key;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("csr is not a valid PKCS#10 request for an ECDSA P-256 key");
        }
    }

    /** A client certificate for a device key, valid from a minute ago for {@code lifetime}. */
    public Issued issueDeviceCertificate(PublicKey deviceKey, String deviceId, Duration lifetime) {
        return issue(deviceKey, "device", deviceId, lifetime);
    }

    /** A certificate for a connector's key: {@code spiffe://<trust domain>/connector/<id>}. */
    public Issued issueConnectorCertificate(PublicKey connectorKey, String connectorId, Duration lifetime) {
        return issue(connectorKey, "connector", connectorId, lifetime);
    }

    private Issued issue(PublicKey deviceKey, String kind, String deviceId, Duration lifetime) {
        Loaded ca = loaded;
        Instant now = clock.instant();
        BigInteger serial = new BigInteger(127, random).add(BigInteger.ONE);
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    ca.certificate(), serial, Date.from(now.minusSeconds(60)), Date.from(now.plus(lifetime)),
                    new X500Name("CN=" + kind + " " + deviceId), deviceKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    // A connector is the TLS server of its end-to-end sessions (and a TLS client of the
                    // control plane); a device only ever a client.
                    .addExtension(Extension.extendedKeyUsage, false, kind.equals("connector")
                            ? new ExtendedKeyUsage(new KeyPurposeId[]{KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth})
                            : new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))
                    .addExtension(Extension.subjectAlternativeName, true, new GeneralNames(new GeneralName(
                            GeneralName.uniformResourceIdentifier, "spiffe://" + trustDomain() + "/" + kind + "/" + deviceId)))
                    .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(ca.certificate()))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(deviceKey));
            return new Issued(toX509(builder.build(signer(ca.key()))), serial.toString(16).toUpperCase(java.util.Locale.ROOT));
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue a " + kind + " certificate", e);
        }
    }

    private CertificateAuthorityRecord newCa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            Instant now = clock.instant();
            X500Name name = new X500Name("CN=zerogate CA " + trustDomain() + ",O=zerogate");
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, new BigInteger(127, random).add(BigInteger.ONE),
                    Date.from(now.minusSeconds(60)), Date.from(now.plus(CA_LIFETIME)), name, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(pair.getPublic()));
            X509CertificateHolder holder = builder.build(signer(pair.getPrivate()));
            CertificateAuthorityRecord record = new CertificateAuthorityRecord();
            record.id = 1;
            record.certificateDer = holder.getEncoded();
            record.privateKeySealed = masterKey.seal("certificate-authority", pair.getPrivate().getEncoded());
            record.createdAt = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
            Log.infof("created zerogate's certificate authority for %s", trustDomain());
            return record;
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the certificate authority", e);
        }
    }

    private Loaded open(CertificateAuthorityRecord record) {
        try {
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(record.certificateDer));
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(
                    new PKCS8EncodedKeySpec(masterKey.open("certificate-authority", record.privateKeySealed)));
            return new Loaded(certificate, key);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the stored certificate authority is unreadable", e);
        }
    }

    private static ContentSigner signer(PrivateKey key) throws Exception {
        return new JcaContentSignerBuilder(SIGNATURE).build(key);
    }

    private static X509Certificate toX509(X509CertificateHolder holder) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(holder.getEncoded()));
    }
}
