package dev.zerogate.identity;

import com.google.protobuf.Timestamp;
import dev.zerogate.identity.service.LocalAccountService;
import dev.zerogate.proto.identity.v1.CreateServiceAccountKeyRequest;
import dev.zerogate.proto.identity.v1.CreateServiceAccountKeyResponse;
import dev.zerogate.proto.identity.v1.CreateServiceAccountRequest;
import dev.zerogate.proto.identity.v1.IdentityAdminServiceGrpc;
import dev.zerogate.proto.identity.v1.IdentityEventsServiceGrpc;
import dev.zerogate.proto.identity.v1.ListServiceAccountKeysRequest;
import dev.zerogate.proto.identity.v1.ListServiceAccountsRequest;
import dev.zerogate.proto.identity.v1.ListUsersRequest;
import dev.zerogate.proto.identity.v1.RevokeServiceAccountKeyRequest;
import dev.zerogate.proto.identity.v1.RevokeServiceAccountRequest;
import dev.zerogate.proto.identity.v1.ServiceAccount;
import dev.zerogate.proto.identity.v1.ServiceAccountState;
import dev.zerogate.proto.identity.v1.WatchRevocationsRequest;
import dev.zerogate.servicekit.token.AccessTokenVerifier;
import dev.zerogate.servicekit.token.PrincipalKind;
import dev.zerogate.servicekit.token.VerifiedAccessToken;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.MutableClock;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Service accounts: keys that expire, the client credentials grant, and revocation. */
@QuarkusTest
@IdentityDatabase
class ServiceAccountTest {

    static final String PASSWORD = "correct horse battery staple";

    @Inject
    LocalAccountService accounts;

    @Inject
    MutableClock clock;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @ConfigProperty(name = "zerogate.identity.issuer")
    String issuer;

    GrpcProbe probe;
    IdentityAdminServiceGrpc.IdentityAdminServiceBlockingStub admin;
    ServiceAccount account;

    @BeforeEach
    void setUp() {
        probe = GrpcProbe.connect(port);
        String name = "root-" + UUID.randomUUID().toString().substring(0, 8);
        SigningKeysTest.onVertx(() -> accounts.create(name, PASSWORD.toCharArray(), true));
        admin = TestLogins.withBearer(IdentityAdminServiceGrpc.newBlockingStub(probe.channel()),
                TestLogins.deviceLogin(name, PASSWORD).getString("access_token"));
        account = admin.createServiceAccount(CreateServiceAccountRequest.newBuilder()
                .setName("ci-" + UUID.randomUUID().toString().substring(0, 8)).setDescription("deploys").build()).getServiceAccount();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        probe.close();
        clock.reset();
    }

    CreateServiceAccountKeyResponse newKey(Duration lifetime) {
        Instant expires = Instant.now().plus(lifetime);
        return admin.createServiceAccountKey(CreateServiceAccountKeyRequest.newBuilder().setServiceAccountId(account.getId())
                .setDescription("GitHub Actions").setExpiresAt(Timestamp.newBuilder().setSeconds(expires.getEpochSecond())).build());
    }

    static ValidatableResponse basic(String clientId, String secret) {
        return given().auth().preemptive().basic(clientId, secret).contentType(ContentType.URLENC)
                .formParam("grant_type", "client_credentials").post("/oauth2/token").then();
    }

    static void refused(ValidatableResponse response) {
        response.statusCode(401).header("WWW-Authenticate", containsString("Basic")).body("error", equalTo("invalid_client"));
    }

    VerifiedAccessToken verify(String token) throws Exception {
        String jwks = given().get("/oauth2/jwks").then().statusCode(200).extract().asString();
        return new AccessTokenVerifier(issuer, "zerogate", Duration.ofSeconds(30)).verify(token, jwks, Optional.empty());
    }

    @Test
    void aKeyYieldsAServiceAccountTokenByBasicOrFormAuthentication() throws Exception {
        CreateServiceAccountKeyResponse key = newKey(Duration.ofDays(1));
        assertTrue(key.getClientSecret().startsWith("zgsk_") && key.getClientSecret().length() == 48, "zgsk_ + 43 characters");
        assertEquals(key.getClientSecret().substring(0, 8), key.getKey().getSecretPrefix());

        String token = basic(key.getKey().getId(), key.getClientSecret()).statusCode(200)
                .header("Cache-Control", "no-store").body("refresh_token", nullValue()).body("token_type", equalTo("Bearer"))
                .extract().jsonPath().getString("access_token");
        VerifiedAccessToken verified = verify(token);
        assertEquals(PrincipalKind.SERVICE_ACCOUNT, verified.kind());
        assertEquals(account.getId(), verified.subject());

        given().contentType(ContentType.URLENC).formParam("grant_type", "client_credentials")
                .formParam("client_id", key.getKey().getId()).formParam("client_secret", key.getClientSecret())
                .post("/oauth2/token").then().statusCode(200);
        assertTrue(admin.listServiceAccountKeys(ListServiceAccountKeysRequest.newBuilder().setServiceAccountId(account.getId()).build())
                .getKeys(0).hasLastUsedAt());
    }

    @Test
    void wrongExpiredOrRevokedKeysAreInvalidClients() {
        CreateServiceAccountKeyResponse key = newKey(Duration.ofDays(1));
        refused(basic(key.getKey().getId(), key.getClientSecret() + "x"));
        refused(basic(UUID.randomUUID().toString(), key.getClientSecret()));
        refused(basic("not-a-uuid", key.getClientSecret()));

        clock.shift(Duration.ofDays(2));
        refused(basic(key.getKey().getId(), key.getClientSecret()));
        clock.reset();

        basic(key.getKey().getId(), key.getClientSecret()).statusCode(200);
        admin.revokeServiceAccountKey(RevokeServiceAccountKeyRequest.newBuilder().setKeyId(key.getKey().getId()).setReason("leaked").build());
        refused(basic(key.getKey().getId(), key.getClientSecret()));
    }

    @Test
    void revokingTheAccountRefusesItsTokensAndKeys() {
        CreateServiceAccountKeyResponse key = newKey(Duration.ofDays(1));
        String token = basic(key.getKey().getId(), key.getClientSecret()).statusCode(200).extract().jsonPath().getString("access_token");
        var events = TestLogins.withBearer(IdentityEventsServiceGrpc.newBlockingStub(probe.channel()), token);
        // Role check passed: the request itself is what is refused.
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class, () -> events.watchRevocations(
                WatchRevocationsRequest.newBuilder().setAfterSequence(Long.MAX_VALUE / 2).build()).hasNext()).getStatus().getCode());
        var asAdmin = TestLogins.withBearer(IdentityAdminServiceGrpc.newBlockingStub(probe.channel()), token);
        assertEquals(Status.Code.PERMISSION_DENIED, assertThrows(StatusRuntimeException.class,
                () -> asAdmin.listUsers(ListUsersRequest.getDefaultInstance())).getStatus().getCode());

        assertEquals(ServiceAccountState.SERVICE_ACCOUNT_STATE_REVOKED, admin.revokeServiceAccount(RevokeServiceAccountRequest.newBuilder()
                .setServiceAccountId(account.getId()).setReason("decommissioned").build()).getServiceAccount().getState());
        assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class, () -> events.watchRevocations(
                WatchRevocationsRequest.newBuilder().setAfterSequence(Long.MAX_VALUE / 2).build()).hasNext()).getStatus().getCode());
        refused(basic(key.getKey().getId(), key.getClientSecret()));
        assertEquals(Status.Code.FAILED_PRECONDITION, assertThrows(StatusRuntimeException.class,
                () -> newKey(Duration.ofDays(1))).getStatus().getCode());
    }

    @Test
    void keysAreBoundedInNumberAndLifetime() {
        for (int i = 0; i < 10; i++) {
            newKey(Duration.ofDays(30));
        }
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, assertThrows(StatusRuntimeException.class,
                () -> newKey(Duration.ofDays(30))).getStatus().getCode());
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class,
                () -> newKey(Duration.ofDays(400))).getStatus().getCode());
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class,
                () -> newKey(Duration.ofDays(-1))).getStatus().getCode());
    }

    @Test
    void listingFiltersByNameAndStateAcrossPages() {
        String tag = "list-" + UUID.randomUUID().toString().substring(0, 6);
        for (int i = 0; i < 3; i++) {
            admin.createServiceAccount(CreateServiceAccountRequest.newBuilder().setName(tag + "-" + i).build());
        }
        var first = admin.listServiceAccounts(ListServiceAccountsRequest.newBuilder().setQuery(tag).setPageSize(2).build());
        assertEquals(java.util.List.of(tag + "-0", tag + "-1"), first.getServiceAccountsList().stream().map(ServiceAccount::getName).toList());
        var second = admin.listServiceAccounts(ListServiceAccountsRequest.newBuilder().setQuery(tag).setPageSize(2)
                .setPageToken(first.getNextPageToken()).build());
        assertEquals(java.util.List.of(tag + "-2"), second.getServiceAccountsList().stream().map(ServiceAccount::getName).toList());
        assertEquals("", second.getNextPageToken());
        String revokedId = first.getServiceAccounts(0).getId();
        admin.revokeServiceAccount(RevokeServiceAccountRequest.newBuilder().setServiceAccountId(revokedId).setReason("test").build());
        var revoked = admin.listServiceAccounts(ListServiceAccountsRequest.newBuilder().setQuery(tag)
                .setState(ServiceAccountState.SERVICE_ACCOUNT_STATE_REVOKED).build());
        assertEquals(java.util.List.of(revokedId), revoked.getServiceAccountsList().stream().map(ServiceAccount::getId).toList());
    }

    @Test
    void namesAreUniqueAndWellFormed() {
        assertEquals(Status.Code.ALREADY_EXISTS, assertThrows(StatusRuntimeException.class, () -> admin.createServiceAccount(
                CreateServiceAccountRequest.newBuilder().setName(account.getName()).build())).getStatus().getCode());
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class, () -> admin.createServiceAccount(
                CreateServiceAccountRequest.newBuilder().setName("Not_Valid").build())).getStatus().getCode());
    }

    @Test
    void aScopeOrMissingAuthenticationIsRefused() {
        given().contentType(ContentType.URLENC).formParam("grant_type", "client_credentials").post("/oauth2/token")
                .then().statusCode(401).body("error", equalTo("invalid_client"));
        CreateServiceAccountKeyResponse key = newKey(Duration.ofDays(1));
        given().auth().preemptive().basic(key.getKey().getId(), key.getClientSecret()).contentType(ContentType.URLENC)
                .formParam("grant_type", "client_credentials").formParam("scope", "admin").post("/oauth2/token")
                .then().statusCode(400).body("error", equalTo("invalid_scope"));
    }
}
