package dev.zerogate.identity;

import com.google.protobuf.ByteString;
import dev.zerogate.identity.service.LocalAccountService;
import dev.zerogate.proto.identity.v1.AuthServiceGrpc;
import dev.zerogate.proto.identity.v1.PollDeviceAuthorizationRequest;
import dev.zerogate.proto.identity.v1.PollDeviceAuthorizationResponse;
import dev.zerogate.proto.identity.v1.RefreshTokenRequest;
import dev.zerogate.proto.identity.v1.RevokeTokenRequest;
import dev.zerogate.proto.identity.v1.StartDeviceAuthorizationRequest;
import dev.zerogate.proto.identity.v1.StartDeviceAuthorizationResponse;
import dev.zerogate.proto.identity.v1.TokenSet;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.MutableClock;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.security.KeyPair;
import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AuthService over gRPC: the device login, refresh rotation and revocation, with the contract's status codes. */
@QuarkusTest
@IdentityDatabase
class AuthServiceGrpcTest {

    static final String PASSWORD = "correct horse battery staple";

    @Inject
    LocalAccountService accounts;

    @Inject
    MutableClock clock;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    GrpcProbe probe;
    AuthServiceGrpc.AuthServiceBlockingStub auth;
    String username;

    @BeforeEach
    void setUp() {
        probe = GrpcProbe.connect(port);
        auth = AuthServiceGrpc.newBlockingStub(probe.channel());
        username = "oz-" + UUID.randomUUID().toString().substring(0, 8);
        SigningKeysTest.onVertx(() -> accounts.create(username, PASSWORD.toCharArray(), false));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        probe.close();
        clock.reset();
    }

    static Status.Code code(Executable call) {
        return assertThrows(StatusRuntimeException.class, call).getStatus().getCode();
    }

    StartDeviceAuthorizationResponse start(KeyPair key) {
        return auth.startDeviceAuthorization(StartDeviceAuthorizationRequest.newBuilder().setClientId(TestLogins.CLI)
                .setDevicePublicKey(ByteString.copyFrom(key.getPublic().getEncoded())).build());
    }

    PollDeviceAuthorizationResponse poll(String deviceCode) {
        return auth.pollDeviceAuthorization(PollDeviceAuthorizationRequest.newBuilder().setClientId(TestLogins.CLI)
                .setDeviceCode(deviceCode).build());
    }

    void decide(String userCode, String action) {
        given().contentType(ContentType.URLENC).formParam("user_code", userCode).formParam("username", username)
                .formParam("password", PASSWORD).formParam("action", action).post("/device").then().statusCode(200);
    }

    TokenSet login(KeyPair key) {
        StartDeviceAuthorizationResponse started = start(key);
        assertTrue(poll(started.getDeviceCode()).hasPending());
        decide(started.getUserCode(), "approve");
        clock.shift(Duration.ofSeconds(6));
        return poll(started.getDeviceCode()).getTokens();
    }

    @Test
    void deviceLoginOverGrpcBindsTheTokensToTheKey() throws Exception {
        KeyPair key = DeviceEnrollmentTest.newKey();
        TokenSet tokens = login(key);
        assertTrue(UpstreamLoginTest.claimsOf(tokens.getAccessToken()).contains(DeviceEnrollmentTest.thumbprint(key)));
        assertEquals("Bearer", tokens.getTokenType());
        assertTrue(tokens.hasRefreshTokenExpiresAt());
    }

    @Test
    void refreshRotatesAndReuseIsUnauthenticated() throws Exception {
        TokenSet first = login(DeviceEnrollmentTest.newKey());
        TokenSet second = auth.refreshToken(RefreshTokenRequest.newBuilder().setClientId(TestLogins.CLI)
                .setRefreshToken(first.getRefreshToken()).build()).getTokens();
        assertNotEquals(first.getRefreshToken(), second.getRefreshToken());
        assertEquals(first.getSessionId(), second.getSessionId());
        clock.shift(Duration.ofSeconds(31)); // past the grace window for lost responses
        assertEquals(Status.Code.UNAUTHENTICATED, code(() -> auth.refreshToken(RefreshTokenRequest.newBuilder()
                .setClientId(TestLogins.CLI).setRefreshToken(first.getRefreshToken()).build())));
        assertEquals(Status.Code.UNAUTHENTICATED, code(() -> auth.refreshToken(RefreshTokenRequest.newBuilder()
                .setClientId(TestLogins.CLI).setRefreshToken(second.getRefreshToken()).build())), "the family is revoked");
    }

    @Test
    void aRefreshRepeatedWithinTheGraceWindowGetsTheSameSuccessorOverGrpc() throws Exception {
        TokenSet first = login(DeviceEnrollmentTest.newKey());
        RefreshTokenRequest request = RefreshTokenRequest.newBuilder().setClientId(TestLogins.CLI)
                .setRefreshToken(first.getRefreshToken()).build();
        TokenSet second = auth.refreshToken(request).getTokens();
        TokenSet replayed = auth.refreshToken(request).getTokens();
        assertEquals(second.getRefreshToken(), replayed.getRefreshToken());
        assertNotEquals(second.getAccessToken(), replayed.getAccessToken());
        assertEquals(second.getSessionId(), replayed.getSessionId());
        assertEquals(second.getRefreshTokenExpiresAt().getSeconds(), replayed.getRefreshTokenExpiresAt().getSeconds(),
                "the same token, the same expiry");
        assertNotEquals(second.getRefreshToken(), auth.refreshToken(RefreshTokenRequest.newBuilder().setClientId(TestLogins.CLI)
                .setRefreshToken(replayed.getRefreshToken()).build()).getTokens().getRefreshToken(), "the successor still works");
    }

    @Test
    void revokingEndsTheSessionAndUnknownTokensSucceedSilently() throws Exception {
        TokenSet tokens = login(DeviceEnrollmentTest.newKey());
        auth.revokeToken(RevokeTokenRequest.newBuilder().setClientId(TestLogins.CLI).setToken(tokens.getAccessToken()).build());
        assertEquals(Status.Code.UNAUTHENTICATED, code(() -> auth.refreshToken(RefreshTokenRequest.newBuilder()
                .setClientId(TestLogins.CLI).setRefreshToken(tokens.getRefreshToken()).build())));
        auth.revokeToken(RevokeTokenRequest.newBuilder().setClientId(TestLogins.CLI).setToken("never-issued").build());
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> auth.revokeToken(RevokeTokenRequest.newBuilder()
                .setClientId(TestLogins.CLI).build())));
    }

    @Test
    void deniedUnknownAndMalformedRequestsGetTheContractsCodes() throws Exception {
        StartDeviceAuthorizationResponse started = start(DeviceEnrollmentTest.newKey());
        decide(started.getUserCode(), "deny");
        assertEquals(Status.Code.PERMISSION_DENIED, code(() -> poll(started.getDeviceCode())));
        assertEquals(Status.Code.NOT_FOUND, code(() -> poll("no-such-code")));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> auth.startDeviceAuthorization(StartDeviceAuthorizationRequest
                .newBuilder().setClientId("nobody").build())));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> auth.startDeviceAuthorization(StartDeviceAuthorizationRequest
                .newBuilder().setClientId(TestLogins.CLI).build())), "the CLI must name its device key");
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> auth.startDeviceAuthorization(StartDeviceAuthorizationRequest
                .newBuilder().setClientId(TestLogins.CLI).setDevicePublicKey(ByteString.copyFromUtf8("not a key")).build())));
    }
}
