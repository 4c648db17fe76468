package dev.zerogate.identity;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.zerogate.identity.service.LocalAccountService;
import dev.zerogate.proto.identity.v1.DevicePosture;
import dev.zerogate.proto.identity.v1.EnrollDeviceRequest;
import dev.zerogate.proto.identity.v1.EnrollDeviceResponse;
import dev.zerogate.proto.identity.v1.EnrollmentServiceGrpc;
import dev.zerogate.proto.identity.v1.OperatingSystem;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.MutableClock;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jose4j.jwk.PublicJsonWebKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.io.ByteArrayInputStream;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A logged-in client enrols its device key and gets a certificate that chains to zerogate's CA. */
@QuarkusTest
@IdentityDatabase
class DeviceEnrollmentTest {

    static final String PASSWORD = "correct horse battery staple";

    @Inject
    LocalAccountService accounts;

    @Inject
    MutableClock clock;

    @ConfigProperty(name = "zerogate.identity.issuer")
    String issuer;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    KeyPair deviceKey;
    String accessToken;
    GrpcProbe probe;

    static KeyPair newKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    static String thumbprint(KeyPair key) throws Exception {
        return PublicJsonWebKey.Factory.newPublicJwk(key.getPublic()).calculateBase64urlEncodedThumbprint("SHA-256");
    }

    static byte[] csr(KeyPair key) throws Exception {
        return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=ignored"), key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())).getEncoded();
    }

    /** A device login bound to {@code key}, approved with a fresh account's password. */
    String loginBoundTo(KeyPair key) throws Exception {
        String username = "dev-" + UUID.randomUUID().toString().substring(0, 8);
        SigningKeysTest.onVertx(() -> accounts.create(username, PASSWORD.toCharArray(), false));
        JsonPath started = given().contentType(ContentType.URLENC).formParam("client_id", "zerogate-cli")
                .formParam("zg_device_key", thumbprint(key)).post("/oauth2/device_authorization").then().statusCode(200).extract().jsonPath();
        given().contentType(ContentType.URLENC).formParam("user_code", started.getString("user_code")).formParam("username", username)
                .formParam("password", PASSWORD).formParam("action", "approve").post("/device").then().statusCode(200);
        return given().contentType(ContentType.URLENC).formParam("grant_type", "urn:ietf:params:oauth:grant-type:device_code")
                .formParam("device_code", started.getString("device_code")).formParam("client_id", "zerogate-cli")
                .post("/oauth2/token").then().statusCode(200).extract().jsonPath().getString("access_token");
    }

    @BeforeEach
    void login() throws Exception {
        deviceKey = newKey();
        accessToken = loginBoundTo(deviceKey);
        probe = GrpcProbe.connect(port);
    }

    @AfterEach
    void close() throws InterruptedException {
        probe.close();
        clock.reset();
    }

    EnrollmentServiceGrpc.EnrollmentServiceBlockingStub stub(String token) {
        var stub = EnrollmentServiceGrpc.newBlockingStub(probe.channel());
        if (token == null) {
            return stub;
        }
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    static EnrollDeviceRequest request(byte[] csr) {
        return EnrollDeviceRequest.newBuilder()
                .setCsr(ByteString.copyFrom(csr))
                .setDeviceName("laptop")
                .setPosture(DevicePosture.newBuilder().setOs(OperatingSystem.OPERATING_SYSTEM_LINUX).setOsVersion("6.8.0")
                        .setDiskEncrypted(true).setScreenLockEnabled(true).setClientVersion("0.1.0")
                        .setCollectedAt(Timestamp.newBuilder().setSeconds(System.currentTimeMillis() / 1000)))
                .build();
    }

    static X509Certificate x509(ByteString der) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der.toByteArray()));
    }

    @Test
    void csrBecomesACertificateThatChainsToTheCa() throws Exception {
        EnrollDeviceResponse enrolled = stub(accessToken).enrollDevice(request(csr(deviceKey)));
        X509Certificate leaf = x509(enrolled.getCertificate().getCertificateChain(0));
        X509Certificate root = x509(enrolled.getCertificate().getTrustAnchors(0));

        PKIXParameters pkix = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        pkix.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), pkix);

        assertEquals(deviceKey.getPublic(), leaf.getPublicKey());
        String deviceId = enrolled.getDevice().getId();
        assertTrue(leaf.getSubjectAlternativeNames().stream()
                .anyMatch(san -> san.get(1).equals("spiffe://" + URI.create(issuer).getHost() + "/device/" + deviceId)), leaf.toString());
        assertEquals(List.of("1.3.6.1.5.5.7.3.2"), leaf.getExtendedKeyUsage(), "client authentication only");
        assertEquals(-1, leaf.getBasicConstraints(), "a device certificate is not a CA");
        long hours = Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()).toHours();
        assertEquals(24, hours);
        assertEquals(thumbprint(deviceKey), enrolled.getDevice().getKeyThumbprint());
        assertEquals(leaf.getSerialNumber().toString(16).toUpperCase(), enrolled.getCertificate().getSerialNumber());
    }

    @Test
    void enrollingTheSameKeyAgainRenewsTheSameDevice() throws Exception {
        EnrollDeviceResponse first = stub(accessToken).enrollDevice(request(csr(deviceKey)));
        EnrollDeviceResponse second = stub(accessToken).enrollDevice(request(csr(deviceKey)));
        assertEquals(first.getDevice().getId(), second.getDevice().getId());
        assertNotEquals(first.getCertificate().getSerialNumber(), second.getCertificate().getSerialNumber());
    }

    @Test
    void csrForAnotherKeyThanTheLoginIsBoundToIsRefused() throws Exception {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> stub(accessToken).enrollDevice(request(csr(newKey()))));
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
    }

    @Test
    void callsWithoutAValidTokenAreUnauthenticated() throws Exception {
        byte[] csr = csr(deviceKey);
        assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class,
                () -> stub(null).enrollDevice(request(csr))).getStatus().getCode());
        assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class,
                () -> stub("not.a.token").enrollDevice(request(csr))).getStatus().getCode());
        String tampered = accessToken.substring(0, accessToken.length() - 4) + "AAAA";
        assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class,
                () -> stub(tampered).enrollDevice(request(csr))).getStatus().getCode());
    }

    @Test
    void malformedRequestsAreInvalidArguments() {
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class,
                () -> stub(accessToken).enrollDevice(request(new byte[] {1, 2, 3}))).getStatus().getCode());
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class,
                () -> stub(accessToken).enrollDevice(request(new byte[5000]))).getStatus().getCode());
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class,
                () -> stub(accessToken).enrollDevice(EnrollDeviceRequest.newBuilder().setDeviceName("x").build())).getStatus().getCode());
    }

    @Test
    void renewalIssuesANewCertificateForTheSameDevice() throws Exception {
        EnrollDeviceResponse enrolled = stub(accessToken).enrollDevice(request(csr(deviceKey)));
        var renewed = stub(accessToken).renewDeviceCertificate(dev.zerogate.proto.identity.v1.RenewDeviceCertificateRequest.newBuilder()
                .setDeviceId(enrolled.getDevice().getId()).setCsr(ByteString.copyFrom(csr(deviceKey))).build());
        X509Certificate leaf = x509(renewed.getCertificate().getCertificateChain(0));
        assertEquals(deviceKey.getPublic(), leaf.getPublicKey());
        assertNotEquals(enrolled.getCertificate().getSerialNumber(), renewed.getCertificate().getSerialNumber());
        assertTrue(leaf.getSubjectAlternativeNames().stream().anyMatch(san -> String.valueOf(san.get(1)).endsWith(enrolled.getDevice().getId())));

        // Another user's login cannot renew this device.
        KeyPair otherKey = newKey();
        String otherToken = loginBoundTo(otherKey);
        assertEquals(Status.Code.NOT_FOUND, assertThrows(StatusRuntimeException.class, () -> stub(otherToken)
                .renewDeviceCertificate(dev.zerogate.proto.identity.v1.RenewDeviceCertificateRequest.newBuilder()
                        .setDeviceId(enrolled.getDevice().getId()).setCsr(ByteString.copyFrom(csr(otherKey))).build())).getStatus().getCode());
    }

    @Test
    void postureReportsAreRecordedForTheBoundDevice() throws Exception {
        EnrollDeviceResponse enrolled = stub(accessToken).enrollDevice(request(csr(deviceKey)));
        DevicePosture newer = request(csr(deviceKey)).getPosture().toBuilder().setOsVersion("6.9.1").setScreenLockEnabled(false).build();
        var reported = stub(accessToken).reportDevicePosture(dev.zerogate.proto.identity.v1.ReportDevicePostureRequest.newBuilder()
                .setDeviceId(enrolled.getDevice().getId()).setPosture(newer).build());
        assertEquals("6.9.1", reported.getDevice().getPosture().getOsVersion());
        assertEquals(300, reported.getNextReportIn().getSeconds());
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class, () -> stub(accessToken)
                .reportDevicePosture(dev.zerogate.proto.identity.v1.ReportDevicePostureRequest.newBuilder()
                        .setDeviceId("not-a-uuid").setPosture(newer).build())).getStatus().getCode());
    }

    @Test
    void aRevokedSessionCannotEnrol() throws Exception {
        given().contentType(ContentType.URLENC).formParam("token", accessToken).formParam("client_id", "zerogate-cli")
                .post("/oauth2/revoke").then().statusCode(200);
        assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class,
                () -> stub(accessToken).enrollDevice(request(csr(deviceKey)))).getStatus().getCode());
    }
}
