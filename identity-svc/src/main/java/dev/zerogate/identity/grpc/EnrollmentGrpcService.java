package dev.zerogate.identity.grpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.zerogate.identity.service.ConnectorCredentialIssuer;
import dev.zerogate.identity.service.DeviceEnrollment;
import dev.zerogate.proto.identity.v1.BootstrapConnectorRequest;
import dev.zerogate.proto.identity.v1.BootstrapConnectorResponse;
import dev.zerogate.proto.identity.v1.RefreshConnectorCredentialsRequest;
import dev.zerogate.proto.identity.v1.RefreshConnectorCredentialsResponse;
import dev.zerogate.proto.identity.v1.TokenSet;
import dev.zerogate.proto.identity.v1.CertificateBundle;
import dev.zerogate.proto.identity.v1.Device;
import dev.zerogate.proto.identity.v1.DevicePosture;
import dev.zerogate.proto.identity.v1.DeviceState;
import dev.zerogate.proto.identity.v1.EnrollDeviceRequest;
import dev.zerogate.proto.identity.v1.EnrollDeviceResponse;
import dev.zerogate.proto.identity.v1.MutinyEnrollmentServiceGrpc;
import dev.zerogate.proto.identity.v1.RenewDeviceCertificateRequest;
import dev.zerogate.proto.identity.v1.RenewDeviceCertificateResponse;
import dev.zerogate.proto.identity.v1.ReportDevicePostureRequest;
import dev.zerogate.proto.identity.v1.ReportDevicePostureResponse;
import io.grpc.Status;
import dev.zerogate.servicekit.token.PrincipalKind;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterInterceptor;
import io.smallrye.mutiny.Uni;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * gRPC adapter for `zerogate.identity.v1.EnrollmentService`: every call authenticated by an
 * access token ({@link AccessTokenInterceptor}). Device enrolment, renewal and posture are
 * built, and the connectors' bootstrap and refresh, whose credential is in the request body
 * (the interceptor lets exactly those two through without a bearer token).
 */
@GrpcService
@RegisterInterceptor(AccessTokenInterceptor.class)
public class EnrollmentGrpcService extends MutinyEnrollmentServiceGrpc.EnrollmentServiceImplBase {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How often a client reports posture at the latest. */
    static final com.google.protobuf.Duration POSTURE_INTERVAL = com.google.protobuf.Duration.newBuilder().setSeconds(300).build();

    /** The audit log's source for rpcs: the caller's address is not at hand in a Mutiny handler. */
    static final String SOURCE = "grpc";

    private final DeviceEnrollment enrollment;
    private final CallerRoles roles;
    private final ConnectorCredentialIssuer connectors;
    private final java.time.Duration connectorTokenLifetime;

    EnrollmentGrpcService(DeviceEnrollment enrollment, CallerRoles roles, ConnectorCredentialIssuer connectors,
                          dev.zerogate.identity.config.IdentityConfig config) {
        this.enrollment = enrollment;
        this.roles = roles;
        this.connectors = connectors;
        this.connectorTokenLifetime = config.tokens().connectorAccessTokenLifetime();
    }

    @Override
    public Uni<EnrollDeviceResponse> enrollDevice(EnrollDeviceRequest request) {
        var caller = roles.requireKind(PrincipalKind.USER);
        if (!request.hasPosture()) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT.withDescription("posture is required").asRuntimeException());
        }
        return enrollment.enroll(caller, request.getCsr().toByteArray(), request.getDeviceName(), postureJson(request.getPosture()))
                .map(enrolled -> EnrollDeviceResponse.newBuilder()
                        .setDevice(ProtoMapping.device(enrolled.device()))
                        .setCertificate(bundle(enrolled))
                        .build())
                .onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Uni<RenewDeviceCertificateResponse> renewDeviceCertificate(RenewDeviceCertificateRequest request) {
        return enrollment.renew(roles.requireKind(PrincipalKind.USER), request.getDeviceId(), request.getCsr().toByteArray())
                .map(renewed -> RenewDeviceCertificateResponse.newBuilder().setCertificate(bundle(renewed)).build())
                .onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Uni<ReportDevicePostureResponse> reportDevicePosture(ReportDevicePostureRequest request) {
        if (!request.hasPosture()) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT.withDescription("posture is required").asRuntimeException());
        }
        return enrollment.reportPosture(roles.requireKind(PrincipalKind.USER), request.getDeviceId(), postureJson(request.getPosture()))
                .map(device -> ReportDevicePostureResponse.newBuilder()
                        .setDevice(ProtoMapping.device(device))
                        .setNextReportIn(POSTURE_INTERVAL)
                        .build())
                .onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Uni<BootstrapConnectorResponse> bootstrapConnector(BootstrapConnectorRequest request) {
        return connectors.bootstrap(request.getAccessToken(), request.getRefreshToken(), request.getCsr().toByteArray(), SOURCE)
                .map(issued -> BootstrapConnectorResponse.newBuilder()
                        .setConnectorId(issued.credential().connectorId.toString())
                        .setRemoteNetworkId(issued.credential().remoteNetworkId.toString())
                        .setCertificate(bundle(issued.certificate().orElseThrow()))
                        .setTokens(tokenSet(issued))
                        .build())
                .onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Uni<RefreshConnectorCredentialsResponse> refreshConnectorCredentials(RefreshConnectorCredentialsRequest request) {
        java.util.UUID connectorId;
        try {
            connectorId = ProtoMapping.uuid(request.getConnectorId(), "connector_id");
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(GrpcErrors.toStatus(e));
        }
        java.util.Optional<byte[]> csr = request.getCsr().isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of(request.getCsr().toByteArray());
        return connectors.refresh(connectorId, request.getRefreshToken(), csr, SOURCE)
                .map(issued -> {
                    var response = RefreshConnectorCredentialsResponse.newBuilder().setTokens(tokenSet(issued));
                    issued.certificate().ifPresent(certificate -> response.setCertificate(bundle(certificate)));
                    return response.build();
                })
                .onFailure().transform(GrpcErrors::toStatus);
    }

    private TokenSet tokenSet(ConnectorCredentialIssuer.Issued issued) {
        return TokenSet.newBuilder()
                .setAccessToken(issued.accessToken())
                .setTokenType("Bearer")
                .setAccessTokenExpiresAt(timestamp(java.time.Instant.now().plus(connectorTokenLifetime)))
                .setRefreshToken(issued.refreshToken())
                .setRefreshTokenExpiresAt(timestamp(issued.refreshExpiresAt().toInstant()))
                .setSessionId(issued.credential().familyId.toString())
                .build();
    }

    private CertificateBundle.Builder bundle(DeviceEnrollment.Enrolled enrolled) {
        return bundle(enrolled.certificate());
    }

    private CertificateBundle.Builder bundle(dev.zerogate.identity.service.CertificateAuthority.Issued issued) {
        X509Certificate leaf = issued.certificate();
        Instant notBefore = leaf.getNotBefore().toInstant();
        Instant notAfter = leaf.getNotAfter().toInstant();
        Instant renewAfter = notBefore.plusMillis((notAfter.toEpochMilli() - notBefore.toEpochMilli()) * 2 / 3);
        return CertificateBundle.newBuilder()
                .addCertificateChain(der(leaf))
                .addTrustAnchors(der(enrollment.trustAnchor()))
                .setSerialNumber(issued.serialHex())
                .setNotBefore(timestamp(notBefore))
                .setNotAfter(timestamp(notAfter))
                .setRenewAfter(timestamp(renewAfter));
    }

    private static String postureJson(DevicePosture posture) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("os", posture.getOs().name());
        fields.put("os_version", posture.getOsVersion());
        if (posture.hasDiskEncrypted()) {
            fields.put("disk_encrypted", posture.getDiskEncrypted());
        }
        if (posture.hasScreenLockEnabled()) {
            fields.put("screen_lock_enabled", posture.getScreenLockEnabled());
        }
        fields.put("client_version", posture.getClientVersion());
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ByteString der(X509Certificate certificate) {
        try {
            return ByteString.copyFrom(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Timestamp timestamp(Instant instant) {
        return ProtoMapping.timestamp(instant);
    }
}
