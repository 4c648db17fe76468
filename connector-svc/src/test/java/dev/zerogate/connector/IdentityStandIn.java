package dev.zerogate.connector;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.zerogate.proto.identity.v1.BootstrapConnectorRequest;
import dev.zerogate.proto.identity.v1.BootstrapConnectorResponse;
import dev.zerogate.proto.identity.v1.CertificateBundle;
import dev.zerogate.proto.identity.v1.EnrollmentServiceGrpc;
import dev.zerogate.proto.identity.v1.RefreshConnectorCredentialsRequest;
import dev.zerogate.proto.identity.v1.RefreshConnectorCredentialsResponse;
import dev.zerogate.proto.identity.v1.TokenSet;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for identity-svc's EnrollmentService, as a real grpc-java server on a loopback port
 * the kernel picks: it keeps the contract's rules for connectors (the bootstrap pair and each
 * refresh token work once; presenting one again revokes the connector; a revoked connector gets
 * PERMISSION_DENIED), issues real certificates from a CA of its own for the CSR's key, and records
 * what it was sent. identity-svc itself is a separate deployable; e2e's ConnectorBootstrapTest
 * runs the connector against the real one.
 *
 * <p>Its certificates carry both serverAuth and clientAuth (a connector serves TLS to devices).
 */
public final class IdentityStandIn implements AutoCloseable {

    public final String connectorId = UUID.randomUUID().toString();
    public final String remoteNetworkId = UUID.randomUUID().toString();
    public final KeyPair caKey = ecKey();
    public final X509Certificate ca;

    private final Clock clock;
    private final Server server;
    private final SecureRandom random = new SecureRandom();

    // Guarded by this.
    private Duration accessTokenLifetime = Duration.ofMinutes(15);
    private Duration certificateLifetime = Duration.ofHours(24);
    private String bootstrapAccess;
    private String bootstrapRefresh;
    private boolean bootstrapped;
    private boolean revoked;
    private String revocationReason;
    /** Every refresh token issued: true once spent. */
    private final Map<String, Boolean> refreshTokens = new HashMap<>();
    private String latestRefreshToken;
    private String latestAccessToken;
    private final Deque<Status> failures = new ArrayDeque<>();
    private int bootstrapCalls;
    private final List<String> refreshTokensSpent = new ArrayList<>();
    private final List<Boolean> refreshCsrs = new ArrayList<>();
    private int refreshAttempts;

    private IdentityStandIn(Clock clock) throws IOException {
        this.clock = clock;
        this.ca = selfSigned(caKey);
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(new Service())
                .build()
                .start();
    }

    public static IdentityStandIn start(Clock clock) {
        try {
            return new IdentityStandIn(clock);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the identity stand-in", e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** A fresh bootstrap pair, as CreateConnector would hand out (after a revocation, a new family). */
    public synchronized String[] provision() {
        bootstrapAccess = "zgcb_" + token();
        bootstrapRefresh = token();
        bootstrapped = false;
        revoked = false;
        revocationReason = null;
        return new String[] {bootstrapAccess, bootstrapRefresh};
    }

    public synchronized void lifetimes(Duration accessToken, Duration certificate) {
        accessTokenLifetime = accessToken;
        certificateLifetime = certificate;
    }

    /** The next call fails with {@code status} before it is looked at (nothing spent). */
    public synchronized void failNext(Status status) {
        failures.add(status);
    }

    public synchronized void revoke(String reason) {
        revoked = true;
        revocationReason = reason;
    }

    public synchronized boolean revoked() {
        return revoked;
    }

    public synchronized String revocationReason() {
        return revocationReason;
    }

    public synchronized int bootstrapCalls() {
        return bootstrapCalls;
    }

    /** Calls of RefreshConnectorCredentials, failed ones included. */
    public synchronized int refreshAttempts() {
        return refreshAttempts;
    }

    /** The refresh tokens presented and accepted, in order. */
    public synchronized List<String> refreshTokensSpent() {
        return List.copyOf(refreshTokensSpent);
    }

    /** Per accepted refresh: whether it carried a CSR. */
    public synchronized List<Boolean> refreshCsrs() {
        return List.copyOf(refreshCsrs);
    }

    public synchronized String latestRefreshToken() {
        return latestRefreshToken;
    }

    public synchronized String latestAccessToken() {
        return latestAccessToken;
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private final class Service extends EnrollmentServiceGrpc.EnrollmentServiceImplBase {
        @Override
        public void bootstrapConnector(BootstrapConnectorRequest request, StreamObserver<BootstrapConnectorResponse> response) {
            answer(response, () -> bootstrap(request));
        }

        @Override
        public void refreshConnectorCredentials(RefreshConnectorCredentialsRequest request,
                                                StreamObserver<RefreshConnectorCredentialsResponse> response) {
            answer(response, () -> refresh(request));
        }
    }

    private interface Handler<T> {
        T handle() throws Exception;
    }

    private static <T> void answer(StreamObserver<T> response, Handler<T> handler) {
        try {
            response.onNext(handler.handle());
            response.onCompleted();
        } catch (io.grpc.StatusRuntimeException e) {
            response.onError(e);
        } catch (Exception e) {
            response.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
        }
    }

    private synchronized BootstrapConnectorResponse bootstrap(BootstrapConnectorRequest request) throws Exception {
        bootstrapCalls++;
        failIfAsked();
        if (!request.getAccessToken().equals(bootstrapAccess) || !request.getRefreshToken().equals(bootstrapRefresh)) {
            throw Status.UNAUTHENTICATED.withDescription("the connector's credentials are not valid").asRuntimeException();
        }
        if (revoked) {
            throw Status.PERMISSION_DENIED.withDescription("the connector's credentials are revoked").asRuntimeException();
        }
        if (bootstrapped) {
            revoked = true;
            revocationReason = "bootstrap pair presented again";
            throw Status.UNAUTHENTICATED.withDescription("these credentials were already used; the connector's credentials are revoked")
                    .asRuntimeException();
        }
        bootstrapped = true;
        return BootstrapConnectorResponse.newBuilder()
                .setConnectorId(connectorId)
                .setRemoteNetworkId(remoteNetworkId)
                .setCertificate(issue(csrKey(request.getCsr())))
                .setTokens(tokens())
                .build();
    }

    private synchronized RefreshConnectorCredentialsResponse refresh(RefreshConnectorCredentialsRequest request) throws Exception {
        refreshAttempts++;
        failIfAsked();
        Boolean spent = refreshTokens.get(request.getRefreshToken());
        if (spent == null || !request.getConnectorId().equals(connectorId)) {
            throw Status.UNAUTHENTICATED.withDescription("the connector's credentials are not valid").asRuntimeException();
        }
        if (revoked) {
            throw Status.PERMISSION_DENIED.withDescription("the connector's credentials are revoked").asRuntimeException();
        }
        if (spent) {
            revoked = true;
            revocationReason = "spent refresh token presented again";
            throw Status.UNAUTHENTICATED.withDescription("these credentials were already used; the connector's credentials are revoked")
                    .asRuntimeException();
        }
        refreshTokens.put(request.getRefreshToken(), true);
        refreshTokensSpent.add(request.getRefreshToken());
        refreshCsrs.add(!request.getCsr().isEmpty());
        RefreshConnectorCredentialsResponse.Builder response = RefreshConnectorCredentialsResponse.newBuilder().setTokens(tokens());
        if (!request.getCsr().isEmpty()) {
            response.setCertificate(issue(csrKey(request.getCsr())));
        }
        return response.build();
    }

    private void failIfAsked() {
        Status failure = failures.poll();
        if (failure != null) {
            throw failure.asRuntimeException();
        }
    }

    private TokenSet tokens() {
        Instant now = clock.instant();
        latestAccessToken = "access." + token();
        latestRefreshToken = token();
        refreshTokens.put(latestRefreshToken, false);
        return TokenSet.newBuilder()
                .setAccessToken(latestAccessToken)
                .setTokenType("Bearer")
                .setAccessTokenExpiresAt(timestamp(now.plus(accessTokenLifetime)))
                .setRefreshToken(latestRefreshToken)
                .setRefreshTokenExpiresAt(timestamp(now.plus(Duration.ofDays(30))))
                .setSessionId(UUID.randomUUID().toString())
                .build();
    }

    private static PublicKey csrKey(ByteString der) throws Exception {
        PKCS10CertificationRequest csr = new PKCS10CertificationRequest(der.toByteArray());
        PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(csr.getSubjectPublicKeyInfo().getEncoded()));
        if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
            throw Status.INVALID_ARGUMENT.withDescription("csr signature does not verify").asRuntimeException();
        }
        return key;
    }

    private CertificateBundle issue(PublicKey key) throws Exception {
        Instant notBefore = clock.instant().minusSeconds(60);
        Instant notAfter = clock.instant().plus(certificateLifetime);
        X509Certificate leaf = certificate(key, "CN=connector " + connectorId, notBefore, notAfter, false);
        Instant renewAfter = notBefore.plusMillis((notAfter.toEpochMilli() - notBefore.toEpochMilli()) * 2 / 3);
        return CertificateBundle.newBuilder()
                .addCertificateChain(ByteString.copyFrom(leaf.getEncoded()))
                .addTrustAnchors(ByteString.copyFrom(ca.getEncoded()))
                .setSerialNumber(leaf.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT))
                .setNotBefore(timestamp(notBefore))
                .setNotAfter(timestamp(notAfter))
                .setRenewAfter(timestamp(renewAfter))
                .build();
    }

    /** A certificate for {@code key} from this stand-in's CA (also for tests' device keys). */
    public X509Certificate certificate(PublicKey key, String subject, Instant notBefore, Instant notAfter, boolean authority) throws Exception {
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca, new BigInteger(127, random).add(BigInteger.ONE),
                Date.from(notBefore), Date.from(notAfter), new X500Name(subject), key)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(authority))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate())));
    }

    private static X509Certificate selfSigned(KeyPair key) {
        try {
            X500Name name = new X500Name("CN=identity stand-in CA");
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(3650))), name, key.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair ecKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String token() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    /**
     * The Quarkus test resource: one stand-in per JVM, a fresh bootstrap pair and state directory,
     * the control plane enabled and pointed at the stand-in. Access tokens live 15 s, so the
     * rotation thread refreshes them within a test (10 s, its minimum interval).
     */
    public static final class Resource implements QuarkusTestResourceLifecycleManager {

        private static IdentityStandIn instance;

        public static synchronized IdentityStandIn instance() {
            if (instance == null) {
                instance = IdentityStandIn.start(Clock.systemUTC());
                instance.lifetimes(Duration.ofSeconds(15), Duration.ofHours(24));
            }
            return instance;
        }

        @Override
        public Map<String, String> start() {
            IdentityStandIn identity = instance();
            String[] pair = identity.provision();
            Path stateDir;
            try {
                stateDir = Files.createTempDirectory("connector-state-");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return Map.of(
                    "zerogate.connector.control-plane.enabled", "true",
                    "zerogate.connector.control-plane.url", identity.url(),
                    "zerogate.connector.control-plane.access-token", pair[0],
                    "zerogate.connector.control-plane.refresh-token", pair[1],
                    "zerogate.connector.state-dir", stateDir.resolve("connector").toString());
        }

        @Override
        public void stop() {
            // Shared by every test class of the JVM; the JVM's exit stops it.
        }
    }
}
