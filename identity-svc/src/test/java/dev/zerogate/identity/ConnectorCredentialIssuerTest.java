package dev.zerogate.identity;

import com.google.protobuf.ByteString;
import dev.zerogate.identity.service.LocalAccountService;
import dev.zerogate.proto.identity.v1.BootstrapConnectorRequest;
import dev.zerogate.proto.identity.v1.BootstrapConnectorResponse;
import dev.zerogate.proto.identity.v1.ConnectorCredentialState;
import dev.zerogate.proto.identity.v1.CreateConnectorRequest;
import dev.zerogate.proto.identity.v1.CreateConnectorResponse;
import dev.zerogate.proto.identity.v1.EnrollmentServiceGrpc;
import dev.zerogate.proto.identity.v1.IdentityAdminServiceGrpc;
import dev.zerogate.proto.identity.v1.ListConnectorsRequest;
import dev.zerogate.proto.identity.v1.RefreshConnectorCredentialsRequest;
import dev.zerogate.proto.identity.v1.RefreshConnectorCredentialsResponse;
import dev.zerogate.proto.identity.v1.RevokeConnectorRequest;
import dev.zerogate.servicekit.token.AccessTokenVerifier;
import dev.zerogate.servicekit.token.PrincipalKind;
import dev.zerogate.servicekit.token.VerifiedAccessToken;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.MutableClock;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.net.URI;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connectors' credentials: an admin provisions a connector and gets the bootstrap pair and the
 * docker run line once; the connector bootstraps with a CSR and rotates its tokens itself;
 * any reuse revokes its credentials.
 */
@QuarkusTest
@IdentityDatabase
class ConnectorCredentialIssuerTest {

    static final String PASSWORD = "correct horse battery staple";

    @Inject
    LocalAccountService accounts;

    @Inject
    MutableClock clock;

    @Inject
    Pool pool;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @ConfigProperty(name = "zerogate.identity.issuer")
    String issuer;

    GrpcProbe probe;
    IdentityAdminServiceGrpc.IdentityAdminServiceBlockingStub admin;
    EnrollmentServiceGrpc.EnrollmentServiceBlockingStub enrollment;
    String connectorId;
    String networkId;

    @BeforeEach
    void setUp() {
        probe = GrpcProbe.connect(port);
        String name = "ops-" + UUID.randomUUID().toString().substring(0, 8);
        SigningKeysTest.onVertx(() -> accounts.create(name, PASSWORD.toCharArray(), true));
        admin = TestLogins.withBearer(IdentityAdminServiceGrpc.newBlockingStub(probe.channel()),
                TestLogins.deviceLogin(name, PASSWORD).getString("access_token"));
        enrollment = EnrollmentServiceGrpc.newBlockingStub(probe.channel());
        connectorId = UUID.randomUUID().toString();
        networkId = UUID.randomUUID().toString();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        probe.close();
        clock.reset();
    }

    CreateConnectorResponse provision() {
        return admin.createConnector(CreateConnectorRequest.newBuilder().setConnectorId(connectorId).setRemoteNetworkId(networkId).build());
    }

    BootstrapConnectorResponse bootstrap(CreateConnectorResponse created, KeyPair key) throws Exception {
        return enrollment.bootstrapConnector(BootstrapConnectorRequest.newBuilder().setAccessToken(created.getAccessToken())
                .setRefreshToken(created.getRefreshToken()).setCsr(ByteString.copyFrom(DeviceEnrollmentTest.csr(key)))
                .setConnectorVersion("0.1.0").build());
    }

    RefreshConnectorCredentialsResponse refresh(String refreshToken) {
        return enrollment.refreshConnectorCredentials(RefreshConnectorCredentialsRequest.newBuilder()
                .setConnectorId(connectorId).setRefreshToken(refreshToken).build());
    }

    static Status.Code code(Executable call) {
        return assertThrows(StatusRuntimeException.class, call).getStatus().getCode();
    }

    VerifiedAccessToken verify(String token) throws Exception {
        String jwks = given().get("/oauth2/jwks").then().statusCode(200).extract().asString();
        return new AccessTokenVerifier(issuer, "zerogate", Duration.ofSeconds(30)).verify(token, jwks, Optional.empty());
    }

    long revocationsOf(String id) {
        return pool.preparedQuery("SELECT count(*) FROM revocations WHERE subject_kind = 'CONNECTOR' AND subject_id = $1")
                .execute(Tuple.of(UUID.fromString(id))).await().indefinitely().iterator().next().getLong(0);
    }

    @Test
    void provisionBootstrapAndRotate() throws Exception {
        CreateConnectorResponse created = provision();
        assertEquals(ConnectorCredentialState.CONNECTOR_CREDENTIAL_STATE_PENDING_BOOTSTRAP, created.getConnector().getState());
        assertEquals(issuer, created.getEnvironmentMap().get("ZEROGATE_URL"));
        assertEquals(created.getAccessToken(), created.getEnvironmentMap().get("ZEROGATE_ACCESS_TOKEN"));
        assertTrue(created.getDockerRunCommand().startsWith("docker run -d --restart=unless-stopped"), created.getDockerRunCommand());
        assertTrue(created.getDockerRunCommand().contains("-e ZEROGATE_REFRESH_TOKEN=" + created.getRefreshToken()));
        assertEquals(Status.Code.ALREADY_EXISTS, code(this::provision), "live credentials exist");

        KeyPair key = DeviceEnrollmentTest.newKey();
        BootstrapConnectorResponse booted = bootstrap(created, key);
        assertEquals(connectorId, booted.getConnectorId());
        assertEquals(networkId, booted.getRemoteNetworkId());
        X509Certificate leaf = DeviceEnrollmentTest.x509(booted.getCertificate().getCertificateChain(0));
        X509Certificate root = DeviceEnrollmentTest.x509(booted.getCertificate().getTrustAnchors(0));
        leaf.verify(root.getPublicKey());
        assertEquals(key.getPublic(), leaf.getPublicKey());
        assertTrue(leaf.getSubjectAlternativeNames().stream().anyMatch(san -> san.get(1).equals(
                "spiffe://" + URI.create(issuer).getHost() + "/connector/" + connectorId)), leaf.toString());
        assertEquals(List.of("1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.1"), leaf.getExtendedKeyUsage(),
                "a connector is the TLS server of its end-to-end sessions");
        VerifiedAccessToken token = verify(booted.getTokens().getAccessToken());
        assertEquals(PrincipalKind.CONNECTOR, token.kind());
        assertEquals(connectorId, token.subject());

        RefreshConnectorCredentialsResponse rotated = refresh(booted.getTokens().getRefreshToken());
        assertNotEquals(booted.getTokens().getRefreshToken(), rotated.getTokens().getRefreshToken());
        assertTrue(!rotated.hasCertificate(), "no CSR, no certificate");
        RefreshConnectorCredentialsResponse withCertificate = enrollment.refreshConnectorCredentials(RefreshConnectorCredentialsRequest
                .newBuilder().setConnectorId(connectorId).setRefreshToken(rotated.getTokens().getRefreshToken())
                .setCsr(ByteString.copyFrom(DeviceEnrollmentTest.csr(DeviceEnrollmentTest.newKey()))).build());
        assertTrue(withCertificate.hasCertificate(), "a CSR (here with a new key) renews the certificate");
        assertEquals(ConnectorCredentialState.CONNECTOR_CREDENTIAL_STATE_ACTIVE, admin.listConnectors(ListConnectorsRequest.newBuilder()
                .setRemoteNetworkId(networkId).build()).getConnectors(0).getState());
    }

    @Test
    void aSpentRefreshTokenPresentedAgainRevokesTheConnector() throws Exception {
        BootstrapConnectorResponse booted = bootstrap(provision(), DeviceEnrollmentTest.newKey());
        String first = booted.getTokens().getRefreshToken();
        String second = refresh(first).getTokens().getRefreshToken();

        assertEquals(Status.Code.UNAUTHENTICATED, code(() -> refresh(first)), "the thief's replay");
        assertEquals(1, revocationsOf(connectorId), "the revocation is committed and logged");
        assertEquals(Status.Code.PERMISSION_DENIED, code(() -> refresh(second)), "the rightful connector is cut off too");
        assertEquals(ConnectorCredentialState.CONNECTOR_CREDENTIAL_STATE_REVOKED, admin.listConnectors(ListConnectorsRequest.newBuilder()
                .setRemoteNetworkId(networkId).build()).getConnectors(0).getState());
        // Its access token is refused by identity-svc from then on.
        var asConnector = TestLogins.withBearer(EnrollmentServiceGrpc.newBlockingStub(probe.channel()), booted.getTokens().getAccessToken());
        assertEquals(Status.Code.UNAUTHENTICATED, code(() -> asConnector.enrollDevice(DeviceEnrollmentTest.request(
                DeviceEnrollmentTest.csr(DeviceEnrollmentTest.newKey())))));
        // The admin can provision it again.
        assertEquals(ConnectorCredentialState.CONNECTOR_CREDENTIAL_STATE_PENDING_BOOTSTRAP, provision().getConnector().getState());
    }

    @Test
    void theBootstrapPairWorksOnceAndExpires() throws Exception {
        CreateConnectorResponse created = provision();
        bootstrap(created, DeviceEnrollmentTest.newKey());
        assertEquals(Status.Code.UNAUTHENTICATED, code(() -> bootstrap(created, DeviceEnrollmentTest.newKey())));
        assertEquals(1, revocationsOf(connectorId));

        connectorId = UUID.randomUUID().toString();
        CreateConnectorResponse late = provision();
        clock.shift(Duration.ofHours(25));
        assertEquals(Status.Code.UNAUTHENTICATED, code(() -> bootstrap(late, DeviceEnrollmentTest.newKey())));
    }

    @Test
    void badBootstrapRequestsAreRefused() throws Exception {
        CreateConnectorResponse created = provision();
        assertEquals(Status.Code.UNAUTHENTICATED, code(() -> enrollment.bootstrapConnector(BootstrapConnectorRequest.newBuilder()
                .setAccessToken(created.getAccessToken()).setRefreshToken("not-its-pair")
                .setCsr(ByteString.copyFrom(DeviceEnrollmentTest.csr(DeviceEnrollmentTest.newKey()))).build())));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> enrollment.bootstrapConnector(BootstrapConnectorRequest.newBuilder()
                .setAccessToken(created.getAccessToken()).setRefreshToken(created.getRefreshToken())
                .setCsr(ByteString.copyFromUtf8("not a csr")).build())));
        // Nothing was spent by the failures.
        bootstrap(created, DeviceEnrollmentTest.newKey());
    }

    @Test
    void onlyAdminsProvisionAndRevocationIsFinal() throws Exception {
        String username = "nia-" + UUID.randomUUID().toString().substring(0, 8);
        SigningKeysTest.onVertx(() -> accounts.create(username, PASSWORD.toCharArray(), false));
        var notAdmin = TestLogins.withBearer(IdentityAdminServiceGrpc.newBlockingStub(probe.channel()),
                TestLogins.deviceLogin(username, PASSWORD).getString("access_token"));
        assertEquals(Status.Code.PERMISSION_DENIED, code(() -> notAdmin.createConnector(CreateConnectorRequest.newBuilder()
                .setConnectorId(connectorId).setRemoteNetworkId(networkId).build())));

        BootstrapConnectorResponse booted = bootstrap(provision(), DeviceEnrollmentTest.newKey());
        admin.revokeConnector(RevokeConnectorRequest.newBuilder().setConnectorId(connectorId).setReason("retired").build());
        assertEquals(Status.Code.PERMISSION_DENIED, code(() -> refresh(booted.getTokens().getRefreshToken())));
        assertEquals(List.of(ConnectorCredentialState.CONNECTOR_CREDENTIAL_STATE_REVOKED), admin.listConnectors(ListConnectorsRequest
                .newBuilder().setRemoteNetworkId(networkId).build()).getConnectorsList().stream().map(c -> c.getState()).toList());
    }
}
