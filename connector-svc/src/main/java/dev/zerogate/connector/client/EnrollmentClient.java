package dev.zerogate.connector.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.zerogate.connector.credentials.Tokens;
import dev.zerogate.proto.identity.v1.BootstrapConnectorRequest;
import dev.zerogate.proto.identity.v1.BootstrapConnectorResponse;
import dev.zerogate.proto.identity.v1.CertificateBundle;
import dev.zerogate.proto.identity.v1.EnrollmentServiceGrpc;
import dev.zerogate.proto.identity.v1.RefreshConnectorCredentialsRequest;
import dev.zerogate.proto.identity.v1.RefreshConnectorCredentialsResponse;
import dev.zerogate.proto.identity.v1.TokenSet;
import dev.zerogate.edge.GrpcChannels;
import dev.zerogate.edge.TrustMaterial;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The connector as a client of identity-svc's {@code zerogate.identity.v1.EnrollmentService}:
 * BootstrapConnector and RefreshConnectorCredentials over one plain grpc-java channel (http →
 * plaintext, https → TLS), each call with a deadline. Proto types stop here. Failures come in two
 * kinds: {@link Refused} (the credentials are no good: UNAUTHENTICATED or PERMISSION_DENIED; or
 * identity-svc answered OK with nothing usable, and the credential presented is spent all the same;
 * asking again cannot help) and {@link Unavailable} (anything else; worth another try later).
 */
public class EnrollmentClient implements AutoCloseable {

    /** A certificate identity-svc issued, parsed. */
    public record IssuedCertificate(List<X509Certificate> chain, List<X509Certificate> trustAnchors, String serial, Instant renewAfter) {
    }

    /** What a bootstrap or a refresh returned; the certificate only when a CSR was sent. */
    public record Issued(String connectorId, String remoteNetworkId, Tokens tokens, Optional<IssuedCertificate> certificate) {
    }

    /** identity-svc refused the credentials: revoked, reused, expired or unknown. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    /** The call failed for a reason that may pass: identity-svc down, overloaded, deadline. */
    public static final class Unavailable extends Exception {
        public Unavailable(String message) {
            super(message);
        }
    }

    private final ManagedChannel channel;
    private final Duration timeout;

    public EnrollmentClient(ManagedChannel channel, Duration timeout) {
        this.channel = channel;
        this.timeout = timeout;
    }

    /** A channel to {@code identity}: TLS for https (the JVM's trust store), plaintext for http. */
    public static ManagedChannel channelTo(URI identity, TrustMaterial trust) {
        return GrpcChannels.open(identity, trust);
    }

    /** Spends the bootstrap pair: certificate for the CSR's key, first tokens. */
    public Issued bootstrap(String accessToken, String refreshToken, byte[] csr, String version) throws Refused, Unavailable {
        BootstrapConnectorResponse response = call(() -> stub().bootstrapConnector(BootstrapConnectorRequest.newBuilder()
                .setAccessToken(accessToken)
                .setRefreshToken(refreshToken)
                .setCsr(ByteString.copyFrom(csr))
                .setConnectorVersion(version)
                .build()));
        // The pair is spent once identity-svc answers: an answer we cannot use is final too.
        try {
            return new Issued(response.getConnectorId(), response.getRemoteNetworkId(), tokens(response.getTokens()),
                    Optional.of(certificate(response.getCertificate())));
        } catch (IllegalArgumentException e) {
            throw new Refused("identity-svc answered BootstrapConnector with unusable credentials: " + e.getMessage());
        }
    }

    /** Spends {@code refreshToken}: next tokens, and a certificate for the CSR's key when one is given. */
    public Issued refresh(String connectorId, String remoteNetworkId, String refreshToken, Optional<byte[]> csr) throws Refused, Unavailable {
        RefreshConnectorCredentialsRequest.Builder request = RefreshConnectorCredentialsRequest.newBuilder()
                .setConnectorId(connectorId)
                .setRefreshToken(refreshToken);
        csr.ifPresent(der -> request.setCsr(ByteString.copyFrom(der)));
        RefreshConnectorCredentialsResponse response = call(() -> stub().refreshConnectorCredentials(request.build()));
        // The refresh token is spent once identity-svc answers: without usable tokens there is no way on.
        Tokens tokens;
        try {
            tokens = tokens(response.getTokens());
        } catch (IllegalArgumentException e) {
            throw new Refused("identity-svc answered RefreshConnectorCredentials with unusable tokens: " + e.getMessage());
        }
        Optional<IssuedCertificate> certificate;
        try {
            certificate = response.hasCertificate() ? Optional.of(certificate(response.getCertificate())) : Optional.empty();
        } catch (IllegalArgumentException e) {
            // The caller sees no certificate and keeps its current one; the renewal is tried again.
            certificate = Optional.empty();
        }
        return new Issued(connectorId, remoteNetworkId, tokens, certificate);
    }

    private EnrollmentServiceGrpc.EnrollmentServiceBlockingStub stub() {
        return EnrollmentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private interface Call<T> {
        T run();
    }

    private static <T> T call(Call<T> call) throws Refused, Unavailable {
        try {
            return call.run();
        } catch (StatusRuntimeException e) {
            Status status = e.getStatus();
            // identity-svc's status messages never carry secrets (contract); ours add none.
            String message = status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
            if (status.getCode() == Status.Code.UNAUTHENTICATED || status.getCode() == Status.Code.PERMISSION_DENIED) {
                throw new Refused(message);
            }
            throw new Unavailable(message);
        }
    }

    /** @throws IllegalArgumentException when a token or an expiry is missing */
    private static Tokens tokens(TokenSet set) {
        if (!set.hasAccessTokenExpiresAt() || !set.hasRefreshTokenExpiresAt()) {
            throw new IllegalArgumentException("token expiry missing");
        }
        return new Tokens(set.getAccessToken(), instant(set.getAccessTokenExpiresAt()), set.getRefreshToken(),
                instant(set.getRefreshTokenExpiresAt()));
    }

    /** @throws IllegalArgumentException when the chain, the trust anchors or renew_after is missing or does not parse */
    private static IssuedCertificate certificate(CertificateBundle bundle) {
        if (bundle.getCertificateChainCount() == 0 || bundle.getTrustAnchorsCount() == 0 || !bundle.hasRenewAfter()) {
            throw new IllegalArgumentException("certificate bundle without chain, trust anchors or renew_after");
        }
        return new IssuedCertificate(x509(bundle.getCertificateChainList()), x509(bundle.getTrustAnchorsList()), bundle.getSerialNumber(),
                instant(bundle.getRenewAfter()));
    }

    private static List<X509Certificate> x509(List<ByteString> ders) {
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            List<X509Certificate> certificates = new ArrayList<>();
            for (ByteString der : ders) {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der.toByteArray())));
            }
            return certificates;
        } catch (CertificateException e) {
            throw new IllegalArgumentException("a certificate does not parse: " + e.getMessage());
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
