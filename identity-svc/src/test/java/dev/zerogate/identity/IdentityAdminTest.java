package dev.zerogate.identity;

import dev.zerogate.identity.service.LocalAccountService;
import dev.zerogate.proto.identity.v1.AccountServiceGrpc;
import dev.zerogate.proto.identity.v1.Device;
import dev.zerogate.proto.identity.v1.DeviceState;
import dev.zerogate.proto.identity.v1.EnrollmentServiceGrpc;
import dev.zerogate.proto.identity.v1.IdentityAdminServiceGrpc;
import dev.zerogate.proto.identity.v1.ListDevicesRequest;
import dev.zerogate.proto.identity.v1.ListGroupsRequest;
import dev.zerogate.proto.identity.v1.ListSessionsRequest;
import dev.zerogate.proto.identity.v1.ListUsersRequest;
import dev.zerogate.proto.identity.v1.ListUsersResponse;
import dev.zerogate.proto.identity.v1.RevocationReason;
import dev.zerogate.proto.identity.v1.RevokeDeviceRequest;
import dev.zerogate.proto.identity.v1.RevokeGroupSessionsRequest;
import dev.zerogate.proto.identity.v1.RevokeSessionRequest;
import dev.zerogate.proto.identity.v1.RevokeUserRequest;
import dev.zerogate.proto.identity.v1.Session;
import dev.zerogate.proto.identity.v1.SessionState;
import dev.zerogate.proto.identity.v1.SetDeviceTrustRequest;
import dev.zerogate.proto.identity.v1.StartTotpEnrollmentRequest;
import dev.zerogate.proto.identity.v1.UserState;
import dev.zerogate.testkit.GrpcProbe;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.security.KeyPair;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IdentityAdminService: admins only; revocations end sessions and make tokens fail at once; paging; audit. */
@QuarkusTest
@IdentityDatabase
class IdentityAdminTest {

    static final String PASSWORD = "correct horse battery staple";

    @Inject
    LocalAccountService accounts;

    @Inject
    Pool pool;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    GrpcProbe probe;
    String adminId;
    String adminToken;

    @BeforeEach
    void connect() {
        probe = GrpcProbe.connect(port);
        String admin = "boss-" + UUID.randomUUID().toString().substring(0, 8);
        adminId = SigningKeysTest.onVertx(() -> accounts.create(admin, PASSWORD.toCharArray(), true)).id.toString();
        adminToken = TestLogins.deviceLogin(admin, PASSWORD).getString("access_token");
    }

    @AfterEach
    void close() throws InterruptedException {
        probe.close();
    }

    record Person(String id, String username, JsonPath tokens) {
    }

    Person person(String prefix) {
        String username = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        String id = SigningKeysTest.onVertx(() -> accounts.create(username, PASSWORD.toCharArray(), false)).id.toString();
        return new Person(id, username, TestLogins.deviceLogin(username, PASSWORD));
    }

    IdentityAdminServiceGrpc.IdentityAdminServiceBlockingStub admin(String token) {
        return TestLogins.withBearer(IdentityAdminServiceGrpc.newBlockingStub(probe.channel()), token);
    }

    static Status.Code code(Executable call) {
        return assertThrows(StatusRuntimeException.class, call).getStatus().getCode();
    }

    void assertTokenRefused(String accessToken) {
        var account = TestLogins.withBearer(AccountServiceGrpc.newBlockingStub(probe.channel()), accessToken);
        assertEquals(Status.Code.UNAUTHENTICATED, code(() -> account.startTotpEnrollment(StartTotpEnrollmentRequest.getDefaultInstance())));
    }

    long auditRows(String action, String subject) {
        return pool.preparedQuery("SELECT count(*) FROM audit_events WHERE action = $1 AND subject = $2 AND actor = $3")
                .execute(Tuple.of(action, subject, adminId)).await().indefinitely().iterator().next().getLong(0);
    }

    @Test
    void onlyAdminsMayCall() {
        String user = person("ivy").tokens().getString("access_token");
        assertEquals(Status.Code.UNAUTHENTICATED, code(() -> IdentityAdminServiceGrpc.newBlockingStub(probe.channel())
                .listUsers(ListUsersRequest.getDefaultInstance())));
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> admin(user).listUsers(ListUsersRequest.getDefaultInstance()));
        assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
        assertTrue(refused.getStatus().getDescription().contains("admins"), refused.getStatus().getDescription());
        assertEquals(Status.Code.PERMISSION_DENIED, code(() -> admin(user).revokeUser(
                RevokeUserRequest.newBuilder().setUserId(adminId).setReason("coup").build())));
    }

    @Test
    void usersPageInUsernameOrderAndBadPageTokensAreRefused() {
        String tag = "pager" + UUID.randomUUID().toString().substring(0, 6);
        for (int i = 0; i < 3; i++) {
            person(tag);
        }
        ListUsersResponse first = admin(adminToken).listUsers(ListUsersRequest.newBuilder().setQuery(tag).setPageSize(2).build());
        assertEquals(2, first.getUsersCount());
        assertTrue(!first.getNextPageToken().isEmpty());
        ListUsersResponse second = admin(adminToken).listUsers(ListUsersRequest.newBuilder().setQuery(tag).setPageSize(2)
                .setPageToken(first.getNextPageToken()).build());
        assertEquals(1, second.getUsersCount());
        assertEquals("", second.getNextPageToken());
        Set<String> seen = new HashSet<>();
        first.getUsersList().forEach(u -> seen.add(u.getUsername()));
        second.getUsersList().forEach(u -> seen.add(u.getUsername()));
        assertEquals(3, seen.size());
        assertTrue(first.getUsers(0).getUsername().compareTo(first.getUsers(1).getUsername()) < 0);
        assertTrue(first.getUsers(1).getUsername().compareTo(second.getUsers(0).getUsername()) < 0);

        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> admin(adminToken).listUsers(ListUsersRequest.newBuilder()
                .setQuery("other").setPageToken(first.getNextPageToken()).build())), "a token from another filter");
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> admin(adminToken).listUsers(ListUsersRequest.newBuilder()
                .setPageToken("!!not base64!!").build())));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> admin(adminToken).listUsers(ListUsersRequest.newBuilder()
                .setPageSize(-1).build())));
    }

    @Test
    void revokingASessionRefusesItsTokensAtOnce() {
        Person jo = person("jo");
        List<Session> sessions = admin(adminToken).listSessions(ListSessionsRequest.newBuilder().setUserId(jo.id()).build()).getSessionsList();
        assertEquals(1, sessions.size());
        assertEquals(SessionState.SESSION_STATE_ACTIVE, sessions.get(0).getState());

        Session revoked = admin(adminToken).revokeSession(RevokeSessionRequest.newBuilder()
                .setSessionId(sessions.get(0).getId()).setReason("lost laptop").build()).getSession();
        assertEquals(SessionState.SESSION_STATE_REVOKED, revoked.getState());
        assertEquals(RevocationReason.REVOCATION_REASON_ADMIN, revoked.getRevocationReason());
        assertTokenRefused(jo.tokens().getString("access_token"));
        refresh(jo.tokens().getString("refresh_token")).statusCode(400).body("error", equalTo("invalid_grant"));
        assertEquals(1, auditRows("session.revoked_by_admin", sessions.get(0).getId()));
        assertEquals(Status.Code.NOT_FOUND, code(() -> admin(adminToken).revokeSession(RevokeSessionRequest.newBuilder()
                .setSessionId(UUID.randomUUID().toString()).setReason("x").build())));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> admin(adminToken).revokeSession(RevokeSessionRequest.newBuilder()
                .setSessionId("not-a-uuid").setReason("x").build())));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> admin(adminToken).revokeSession(RevokeSessionRequest.newBuilder()
                .setSessionId(sessions.get(0).getId()).build())), "a reason is required");
    }

    @Test
    void revokingAUserEndsEverythingAndStopsLogins() {
        Person kim = person("kim");
        var user = admin(adminToken).revokeUser(RevokeUserRequest.newBuilder().setUserId(kim.id()).setReason("left").build()).getUser();
        assertEquals(UserState.USER_STATE_REVOKED, user.getState());
        assertTokenRefused(kim.tokens().getString("access_token"));
        refresh(kim.tokens().getString("refresh_token")).statusCode(400).body("error", equalTo("invalid_grant"));
        JsonPath started = given().contentType(ContentType.URLENC).formParam("client_id", TestLogins.CLI)
                .post("/oauth2/device_authorization").then().statusCode(200).extract().jsonPath();
        given().contentType(ContentType.URLENC).formParam("user_code", started.getString("user_code"))
                .formParam("username", kim.username()).formParam("password", PASSWORD).formParam("action", "approve")
                .post("/device").then().statusCode(401);
        assertEquals(1, auditRows("user.revoked", kim.id()));
        // Idempotent.
        assertEquals(UserState.USER_STATE_REVOKED, admin(adminToken).revokeUser(RevokeUserRequest.newBuilder()
                .setUserId(kim.id()).setReason("again").build()).getUser().getState());
    }

    @Test
    void revokingADeviceEndsTheSessionsBoundToItsKey() throws Exception {
        String username = "lee-" + UUID.randomUUID().toString().substring(0, 8);
        String userId = SigningKeysTest.onVertx(() -> accounts.create(username, PASSWORD.toCharArray(), false)).id.toString();
        KeyPair key = DeviceEnrollmentTest.newKey();
        JsonPath login = TestLogins.deviceLogin(username, PASSWORD, DeviceEnrollmentTest.thumbprint(key));
        String firstAccess = login.getString("access_token");
        Device device = TestLogins.withBearer(EnrollmentServiceGrpc.newBlockingStub(probe.channel()), firstAccess)
                .enrollDevice(DeviceEnrollmentTest.request(DeviceEnrollmentTest.csr(key))).getDevice();
        // Tokens issued once the key is an enrolled device name it.
        String access = refresh(login.getString("refresh_token")).statusCode(200).extract().jsonPath().getString("access_token");
        assertTrue(UpstreamLoginTest.claimsOf(access).contains("\"zg_dev\":\"" + device.getId() + "\""), UpstreamLoginTest.claimsOf(access));

        List<Device> listed = admin(adminToken).listDevices(ListDevicesRequest.newBuilder().setUserId(userId).build()).getDevicesList();
        assertEquals(List.of(device.getId()), listed.stream().map(Device::getId).toList());
        assertTrue(admin(adminToken).setDeviceTrust(SetDeviceTrustRequest.newBuilder().setDeviceId(device.getId()).setTrusted(true)
                .setReason("checked").build()).getDevice().getTrusted());

        Device revoked = admin(adminToken).revokeDevice(RevokeDeviceRequest.newBuilder().setDeviceId(device.getId())
                .setReason("stolen").build()).getDevice();
        assertEquals(DeviceState.DEVICE_STATE_REVOKED, revoked.getState());
        assertEquals("stolen", revoked.getRevocationReason());
        assertTokenRefused(access);
        Session session = admin(adminToken).listSessions(ListSessionsRequest.newBuilder().setDeviceId(device.getId()).build()).getSessions(0);
        assertEquals(RevocationReason.REVOCATION_REASON_DEVICE_REVOKED, session.getRevocationReason());
        assertEquals(Status.Code.FAILED_PRECONDITION, code(() -> admin(adminToken).setDeviceTrust(SetDeviceTrustRequest.newBuilder()
                .setDeviceId(device.getId()).setTrusted(true).setReason("oops").build())));
        assertEquals(1, auditRows("device.revoked", device.getId()));
    }

    @Test
    void revokingTheAdminGroupsSessionsEndsEveryAdminSession() {
        var group = admin(adminToken).listGroups(ListGroupsRequest.newBuilder().setQuery("admins").build()).getGroupsList().stream()
                .filter(g -> g.getName().equals("admins")).findFirst().orElseThrow();
        var result = admin(adminToken).revokeGroupSessions(RevokeGroupSessionsRequest.newBuilder().setGroupId(group.getId())
                .setReason("incident").build());
        assertTrue(result.getRevokedSessionCount() >= 1);
        assertTokenRefused(adminToken);
    }

    static io.restassured.response.ValidatableResponse refresh(String refreshToken) {
        return given().contentType(ContentType.URLENC).formParam("grant_type", "refresh_token").formParam("refresh_token", refreshToken)
                .formParam("client_id", TestLogins.CLI).post("/oauth2/token").then();
    }
}
