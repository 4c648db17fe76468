package dev.zerogate.identity;

import dev.zerogate.identity.service.LocalAccountService;
import dev.zerogate.servicekit.token.AccessTokenVerifier;
import dev.zerogate.servicekit.token.VerifiedAccessToken;
import dev.zerogate.testkit.MutableClock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The CLI's login: the device authorization grant (RFC 8628) end to end over HTTP, then refresh rotation. */
@QuarkusTest
@IdentityDatabase
class DeviceLoginTest {

    static final String CLI = "zerogate-cli";
    static final String PASSWORD = "correct horse battery staple";
    static final String DEVICE_KEY = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

    @Inject
    LocalAccountService accounts;

    @Inject
    MutableClock clock;

    @Inject
    Pool pool;

    @ConfigProperty(name = "zerogate.identity.issuer")
    String issuer;

    String username;
    User user;

    @BeforeEach
    void createAccount() {
        username = "alice-" + UUID.randomUUID().toString().substring(0, 8);
        user = SigningKeysTest.onVertx(() -> accounts.create(username, PASSWORD.toCharArray(), false));
    }

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    JsonPath start(String... extra) {
        var request = given().contentType(ContentType.URLENC).formParam("client_id", CLI);
        for (int i = 0; i < extra.length; i += 2) {
            request.formParam(extra[i], extra[i + 1]);
        }
        return request.post("/oauth2/device_authorization").then().statusCode(200)
                .header("Cache-Control", "no-store")
                .body("user_code", matchesPattern("[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}"))
                .body("verification_uri", equalTo(issuer + "/device"))
                .body("interval", equalTo(5))
                .body("expires_in", equalTo(600))
                .extract().jsonPath();
    }

    ValidatableResponse poll(String deviceCode) {
        return given().contentType(ContentType.URLENC)
                .formParam("grant_type", "urn:ietf:params:oauth:grant-type:device_code")
                .formParam("device_code", deviceCode).formParam("client_id", CLI)
                .post("/oauth2/token").then().header("Cache-Control", "no-store");
    }

    ValidatableResponse verify(String userCode, String password, String action) {
        return given().contentType(ContentType.URLENC)
                .formParam("user_code", userCode).formParam("username", username)
                .formParam("password", password).formParam("action", action)
                .post("/device").then().header("X-Frame-Options", "DENY");
    }

    ValidatableResponse refresh(String refreshToken) {
        return given().contentType(ContentType.URLENC)
                .formParam("grant_type", "refresh_token").formParam("refresh_token", refreshToken).formParam("client_id", CLI)
                .post("/oauth2/token").then();
    }

    String jwks() {
        return given().get("/oauth2/jwks").then().statusCode(200).extract().asString();
    }

    JsonPath login() {
        JsonPath started = start();
        verify(started.getString("user_code"), PASSWORD, "approve").statusCode(200);
        return poll(started.getString("device_code")).statusCode(200).extract().jsonPath();
    }

    @Test
    void fullDeviceLoginIssuesTokensBoundToTheDeviceKey() throws Exception {
        JsonPath started = start("zg_device_key", DEVICE_KEY);
        String deviceCode = started.getString("device_code");
        poll(deviceCode).statusCode(400).body("error", equalTo("authorization_pending"));

        given().queryParam("user_code", started.getString("user_code")).get("/device")
                .then().statusCode(200).body(containsString(started.getString("user_code")));
        verify(started.getString("user_code"), PASSWORD, "approve").statusCode(200).body(containsString("Device allowed"));

        clock.shift(Duration.ofSeconds(6));
        JsonPath tokens = poll(deviceCode).statusCode(200)
                .body("token_type", equalTo("Bearer")).body("expires_in", equalTo(600))
                .extract().jsonPath();
        VerifiedAccessToken access = new AccessTokenVerifier(issuer, "zerogate", Duration.ofSeconds(30))
                .verify(tokens.getString("access_token"), jwks(), Optional.of(DEVICE_KEY));
        assertEquals(user.id.toString(), access.subject());
        assertEquals(List.of("pwd"), access.authenticationMethods());
        assertEquals(Optional.of(DEVICE_KEY), access.deviceKeyThumbprint());

        clock.shift(Duration.ofSeconds(6));
        poll(deviceCode).statusCode(400).body("error", equalTo("invalid_grant"));
    }

    @Test
    void pollingFasterThanTheIntervalGetsSlowDown() {
        String deviceCode = start().getString("device_code");
        poll(deviceCode).statusCode(400).body("error", equalTo("authorization_pending"));
        poll(deviceCode).statusCode(400).body("error", equalTo("slow_down"));
        clock.shift(Duration.ofSeconds(6)); // the interval is now 10 s
        poll(deviceCode).statusCode(400).body("error", equalTo("slow_down"));
        clock.shift(Duration.ofSeconds(16));
        poll(deviceCode).statusCode(400).body("error", equalTo("authorization_pending"));
    }

    @Test
    void deniedLoginAnswersAccessDenied() {
        JsonPath started = start();
        verify(started.getString("user_code"), PASSWORD, "deny").statusCode(200).body(containsString("Device denied"));
        poll(started.getString("device_code")).statusCode(400).body("error", equalTo("access_denied"));
    }

    @Test
    void loginNotApprovedInTimeExpires() {
        JsonPath started = start();
        clock.shift(Duration.ofMinutes(11));
        poll(started.getString("device_code")).statusCode(400).body("error", equalTo("expired_token"));
        verify(started.getString("user_code"), PASSWORD, "approve").statusCode(400).body(containsString("unknown or has expired"));
    }

    @Test
    void wrongPasswordApprovesNothing() {
        JsonPath started = start();
        verify(started.getString("user_code"), "not the password", "approve").statusCode(401)
                .body(containsString("wrong username or password"));
        poll(started.getString("device_code")).statusCode(400).body("error", equalTo("authorization_pending"));
    }

    @Test
    void repeatedWrongPasswordsSlowDownEvenTheRightOne() {
        JsonPath started = start();
        String userCode = started.getString("user_code");
        for (int i = 0; i < 3; i++) {
            verify(userCode, "guess " + i, "approve").statusCode(401).body(containsString("wrong username or password"));
        }
        // The fourth attempt comes too soon: refused without checking the password at all.
        verify(userCode, PASSWORD, "approve").statusCode(401).body(containsString("try again"));
        clock.shift(Duration.ofSeconds(2));
        verify(userCode, PASSWORD, "approve").statusCode(200).body(containsString("Device allowed"));
        long throttled = pool.preparedQuery("SELECT count(*) FROM audit_events WHERE action = 'login' AND actor = $1 AND detail = 'throttled'")
                .execute(Tuple.of(username)).await().indefinitely().iterator().next().getLong(0);
        assertEquals(1, throttled);
    }

    @Test
    void unknownDeviceCodeAndUnknownClientAreRefused() {
        poll("no-such-device-code").statusCode(400).body("error", equalTo("invalid_grant"));
        given().contentType(ContentType.URLENC).formParam("client_id", "evil-client")
                .post("/oauth2/device_authorization").then().statusCode(401).body("error", equalTo("invalid_client"));
    }

    @Test
    void aDeviceKeyThatIsNotAThumbprintIsRefused() {
        given().contentType(ContentType.URLENC).formParam("client_id", CLI).formParam("zg_device_key", "not a key")
                .post("/oauth2/device_authorization").then().statusCode(400).body("error", equalTo("invalid_request"));
    }

    @Test
    void malformedTokenRequestsGetTheRfcErrors() {
        given().contentType(ContentType.URLENC).formParam("client_id", CLI)
                .post("/oauth2/token").then().statusCode(400).body("error", equalTo("invalid_request"));
        // The CLI is a public client: it has no secret to authenticate a client-credentials request with.
        given().contentType(ContentType.URLENC).formParam("client_id", CLI).formParam("grant_type", "client_credentials")
                .post("/oauth2/token").then().statusCode(401).body("error", equalTo("invalid_client"));
        given().contentType(ContentType.URLENC).formParam("client_id", CLI).formParam("grant_type", "password")
                .post("/oauth2/token").then().statusCode(400).body("error", equalTo("unauthorized_client"));
        given().contentType(ContentType.URLENC).formParam("client_id", CLI).formParam("grant_type", "refresh_token")
                .post("/oauth2/token").then().statusCode(400).body("error", equalTo("invalid_request"));
        given().contentType(ContentType.URLENC).formParam("client_id", CLI).formParam("client_id", CLI)
                .formParam("grant_type", "refresh_token").formParam("refresh_token", "x")
                .post("/oauth2/token").then().statusCode(400).body("error", equalTo("invalid_request"));
    }

    @Test
    void refreshRotatesAndReuseRevokesTheWholeFamily() throws Exception {
        JsonPath first = login();
        String r1 = first.getString("refresh_token");
        JsonPath second = refresh(r1).statusCode(200).extract().jsonPath();
        String r2 = second.getString("refresh_token");
        assertNotEquals(r1, r2);
        assertNotEquals(first.getString("access_token"), second.getString("access_token"));
        assertEquals(RevocationTest.sessionOf(first.getString("access_token")),
                RevocationTest.sessionOf(second.getString("access_token")), "a refresh stays in its session");

        // r1 again, after the grace window for lost responses: someone else holds it. The
        // session ends, and r2 dies with it.
        clock.shift(Duration.ofSeconds(31));
        refresh(r1).statusCode(400).body("error", equalTo("invalid_grant"))
                .body("error_description", containsString("revoked"));
        refresh(r2).statusCode(400).body("error", equalTo("invalid_grant"));

        long reuses = pool.preparedQuery("SELECT count(*) FROM audit_events WHERE action = 'refresh.reuse' AND actor = $1")
                .execute(Tuple.of(user.id.toString())).await().indefinitely().iterator().next().getLong(0);
        assertEquals(1, reuses);
    }

    ValidatableResponse revoke(String token) {
        return given().contentType(ContentType.URLENC).formParam("token", token).formParam("client_id", CLI)
                .post("/oauth2/revoke").then();
    }

    @Test
    void revokingTheRefreshTokenEndsTheSession() {
        String refreshToken = login().getString("refresh_token");
        revoke(refreshToken).statusCode(200);
        refresh(refreshToken).statusCode(400).body("error", equalTo("invalid_grant"));
    }

    @Test
    void revokingABoundAccessTokenEndsItsSessionToo() {
        JsonPath started = start("zg_device_key", DEVICE_KEY);
        verify(started.getString("user_code"), PASSWORD, "approve").statusCode(200);
        JsonPath tokens = poll(started.getString("device_code")).statusCode(200).extract().jsonPath();
        revoke(tokens.getString("access_token")).statusCode(200);
        refresh(tokens.getString("refresh_token")).statusCode(400).body("error", equalTo("invalid_grant"));
    }

    @Test
    void revokingAnUnknownTokenAnswersTheSame() {
        revoke("not-a-token-we-issued").statusCode(200);
        revoke("a.b.c").statusCode(200);
        given().contentType(ContentType.URLENC).formParam("client_id", CLI).post("/oauth2/revoke")
                .then().statusCode(400).body("error", equalTo("invalid_request"));
    }

    @Test
    void metadataNamesTheBuiltEndpoints() {
        given().get("/.well-known/oauth-authorization-server").then().statusCode(200)
                .body("issuer", equalTo(issuer))
                .body("token_endpoint", equalTo(issuer + "/oauth2/token"))
                .body("device_authorization_endpoint", equalTo(issuer + "/oauth2/device_authorization"))
                .body("jwks_uri", equalTo(issuer + "/oauth2/jwks"));
    }
}
