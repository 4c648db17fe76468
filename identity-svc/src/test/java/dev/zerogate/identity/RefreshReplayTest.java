package dev.zerogate.identity;

import dev.zerogate.identity.crypto.OpaqueTokens;
import dev.zerogate.identity.crypto.RefreshSuccessors;
import dev.zerogate.identity.repository.RefreshTokenRepository;
import dev.zerogate.identity.service.LocalAccountService;
import dev.zerogate.testkit.MutableClock;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The refresh-token grace window (zerogate.identity.tokens.refresh-reuse-grace, 30 s here): a
 * client that lost the response to its refresh and presents the spent token again gets the
 * same successor and a new access token; outside the window, or once the successor is used,
 * it is reuse and the session is revoked.
 */
@QuarkusTest
@IdentityDatabase
class RefreshReplayTest {

    static final String PASSWORD = "correct horse battery staple";

    @Inject
    LocalAccountService accounts;

    @Inject
    MutableClock clock;

    @Inject
    Pool pool;

    @Inject
    RefreshTokenRepository refreshTokens;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    String username;

    @BeforeEach
    void createAccount() {
        username = "robin-" + UUID.randomUUID().toString().substring(0, 8);
        SigningKeysTest.onVertx(() -> accounts.create(username, PASSWORD.toCharArray(), false));
    }

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    static ValidatableResponse refresh(String refreshToken) {
        return given().contentType(ContentType.URLENC).formParam("grant_type", "refresh_token")
                .formParam("refresh_token", refreshToken).formParam("client_id", TestLogins.CLI)
                .post("/oauth2/token").then();
    }

    static JsonPath refreshed(String refreshToken) {
        return refresh(refreshToken).statusCode(200).extract().jsonPath();
    }

    static void assertRevokedForReuse(String refreshToken) {
        refresh(refreshToken).statusCode(400).body("error", equalTo("invalid_grant"))
                .body("error_description", equalTo("refresh token was already used; the session has been revoked"));
    }

    static void assertWorks(String accessToken) {
        given().auth().oauth2(accessToken).get("/oauth2/userinfo").then().statusCode(200);
    }

    Row row(String sql, Object... parameters) {
        return pool.preparedQuery(sql).execute(Tuple.from(parameters)).await().indefinitely().iterator().next();
    }

    /** A bytea parameter. */
    static Buffer bytea(byte[] bytes) {
        return Buffer.buffer(bytes);
    }

    long auditRows(String action, UUID session) {
        return row("SELECT count(*) FROM audit_events WHERE action = $1 AND subject = $2", action, session.toString()).getLong(0);
    }

    String auditDetail(String action, UUID session) {
        return row("SELECT detail FROM audit_events WHERE action = $1 AND subject = $2", action, session.toString()).getString(0);
    }

    /** The session's revoke reason, null while it is live. */
    String revokeReason(UUID session) {
        return row("SELECT revoke_reason FROM sessions WHERE id = $1", session).getString(0);
    }

    /** When {@code refreshToken} expires if unused, as stored. */
    OffsetDateTime expiryOf(String refreshToken) {
        return row("SELECT expires_at FROM refresh_tokens WHERE token_hash = $1", bytea(OpaqueTokens.digest(refreshToken)))
                .getOffsetDateTime(0);
    }

    static UUID sessionOf(JsonPath tokens) throws Exception {
        return UUID.fromString(RevocationTest.sessionOf(tokens.getString("access_token")));
    }

    @Test
    void aRefreshTokenPresentedAgainWithinTheGraceWindowReturnsTheSameSuccessorAndAWorkingAccessToken() throws Exception {
        JsonPath login = TestLogins.deviceLogin(username, PASSWORD);
        UUID session = sessionOf(login);
        String r1 = login.getString("refresh_token");
        JsonPath first = refreshed(r1);
        String r2 = first.getString("refresh_token");
        OffsetDateTime successorExpiry = expiryOf(r2);

        clock.shift(Duration.ofSeconds(10));
        JsonPath replayed = refreshed(r1);
        assertEquals(r2, replayed.getString("refresh_token"), "the successor again, not a second live token");
        assertEquals(successorExpiry, expiryOf(r2), "the same token, the same expiry");
        assertNotEquals(first.getString("access_token"), replayed.getString("access_token"));
        assertEquals(session, sessionOf(replayed));
        assertEquals(600, replayed.getInt("expires_in"));
        assertWorks(replayed.getString("access_token"));
        assertNull(revokeReason(session));
        assertEquals(1, auditRows("refresh.replayed", session));
        assertEquals("a refresh token spent 10 s ago was presented again within the grace window; its successor was returned",
                auditDetail("refresh.replayed", session));
        assertEquals(0, auditRows("refresh.reuse", session));
        assertEquals(1, row("SELECT count(*) FROM refresh_tokens WHERE session_id = $1 AND used_at IS NULL", session).getLong(0),
                "one live refresh token in the family");

        // The successor still works, once.
        JsonPath next = refreshed(r2);
        assertNotEquals(r2, next.getString("refresh_token"));
        assertWorks(next.getString("access_token"));
        assertNull(revokeReason(session));
    }

    @Test
    void aReplayLateInTheWindowStillReturnsTheSuccessorAsOftenAsItComes() throws Exception {
        JsonPath login = TestLogins.deviceLogin(username, PASSWORD);
        String r1 = login.getString("refresh_token");
        String r2 = refreshed(r1).getString("refresh_token");
        // Short of 30 s by the time this request takes to reach the server.
        clock.shift(Duration.ofSeconds(29));
        assertEquals(r2, refreshed(r1).getString("refresh_token"));
        assertEquals(r2, refreshed(r1).getString("refresh_token"), "as often as it comes within the window");
        assertEquals(2, auditRows("refresh.replayed", sessionOf(login)));
    }

    @Test
    void aReplayAfterTheGraceWindowRevokesTheSession() throws Exception {
        JsonPath login = TestLogins.deviceLogin(username, PASSWORD);
        UUID session = sessionOf(login);
        String r1 = login.getString("refresh_token");
        JsonPath first = refreshed(r1);

        clock.shift(Duration.ofSeconds(31));
        assertRevokedForReuse(r1);
        refresh(first.getString("refresh_token")).statusCode(400).body("error", equalTo("invalid_grant"));
        assertEquals("REFRESH_TOKEN_REUSE", revokeReason(session));
        assertEquals(1, auditRows("refresh.reuse", session));
        assertTrue(auditDetail("refresh.reuse", session).contains("it was spent before the grace window"),
                auditDetail("refresh.reuse", session));
        assertEquals(0, auditRows("refresh.replayed", session));
    }

    @Test
    void aReplayOfATokenWhoseSuccessorWasAlreadyUsedRevokesTheSession() throws Exception {
        JsonPath login = TestLogins.deviceLogin(username, PASSWORD);
        UUID session = sessionOf(login);
        String r1 = login.getString("refresh_token");
        String r2 = refreshed(r1).getString("refresh_token");
        JsonPath third = refreshed(r2);

        clock.shift(Duration.ofSeconds(5));
        assertRevokedForReuse(r1);
        refresh(third.getString("refresh_token")).statusCode(400).body("error", equalTo("invalid_grant"))
                .body("error_description", containsString("ended"));
        assertEquals("REFRESH_TOKEN_REUSE", revokeReason(session));
        assertEquals(1, auditRows("refresh.reuse", session));
        assertEquals(0, auditRows("refresh.replayed", session));
    }

    @Test
    void aFamilyKeepsOnlyItsNewestSpentTokensSealedSuccessor() throws Exception {
        JsonPath login = TestLogins.deviceLogin(username, PASSWORD);
        UUID session = sessionOf(login);
        String r1 = login.getString("refresh_token");
        String r2 = refreshed(r1).getString("refresh_token");
        String r3 = refreshed(r2).getString("refresh_token");

        Row spentFirst = row("SELECT successor_hash, successor_sealed FROM refresh_tokens WHERE token_hash = $1",
                bytea(OpaqueTokens.digest(r1)));
        assertArrayEquals(OpaqueTokens.digest(r2), spentFirst.getBuffer(0).getBytes());
        assertNull(spentFirst.getBuffer(1), "r2 is spent: r1 can never be replayed, its copy of r2 is gone");
        Row spentSecond = row("SELECT successor_hash, successor_sealed FROM refresh_tokens WHERE token_hash = $1",
                bytea(OpaqueTokens.digest(r2)));
        assertArrayEquals(OpaqueTokens.digest(r3), spentSecond.getBuffer(0).getBytes());
        assertEquals(r3, RefreshSuccessors.open(r2, spentSecond.getBuffer(1).getBytes()).orElseThrow(), "sealed under r2");
        assertEquals(1, row("SELECT count(*) FROM refresh_tokens WHERE session_id = $1 AND successor_sealed IS NOT NULL", session)
                .getLong(0));
    }

    /**
     * A spend that kept no sealed copy (what a refresh does with the grace window off), with
     * a live successor: within the window the successor cannot be opened, so it is reuse.
     */
    @Test
    void aSpentTokenWhoseSuccessorCannotBeOpenedRevokesTheSession() throws Exception {
        JsonPath login = TestLogins.deviceLogin(username, PASSWORD);
        UUID session = sessionOf(login);
        String r1 = login.getString("refresh_token");
        String r2 = OpaqueTokens.newToken();
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        assertTrue(SigningKeysTest.onVertx(() -> Panache.withTransaction(() ->
                refreshTokens.spend(OpaqueTokens.digest(r1), now, OpaqueTokens.digest(r2), null))));
        pool.preparedQuery("INSERT INTO refresh_tokens (token_hash, session_id, issued_at, expires_at) VALUES ($1, $2, $3, $4)")
                .execute(Tuple.of(bytea(OpaqueTokens.digest(r2)), session, now, now.plusDays(30))).await().indefinitely();
        assertNull(row("SELECT successor_sealed FROM refresh_tokens WHERE token_hash = $1", bytea(OpaqueTokens.digest(r1)))
                .getBuffer(0));

        assertRevokedForReuse(r1);
        assertEquals("REFRESH_TOKEN_REUSE", revokeReason(session));
        assertTrue(auditDetail("refresh.reuse", session).contains("its successor does not open with it"),
                auditDetail("refresh.reuse", session));
        refresh(r2).statusCode(400).body("error", equalTo("invalid_grant"));
    }

    @Test
    void simultaneousRefreshesWithOneTokenAllSucceedWithinTheWindow() throws Exception {
        JsonPath login = TestLogins.deviceLogin(username, PASSWORD);
        UUID session = sessionOf(login);
        String r1 = login.getString("refresh_token");

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&client_id=" + TestLogins.CLI
                        + "&refresh_token=" + URLEncoder.encode(r1, StandardCharsets.US_ASCII)))
                .build();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            responses.add(call.get(30, TimeUnit.SECONDS));
        }

        for (HttpResponse<String> response : responses) {
            assertEquals(200, response.statusCode(), response.body());
        }
        Set<String> refreshTokens = responses.stream().map(r -> JsonPath.from(r.body()).getString("refresh_token"))
                .collect(Collectors.toSet());
        assertEquals(1, refreshTokens.size(), "one successor for all: " + refreshTokens.size());
        String r2 = refreshTokens.iterator().next();
        assertNotEquals(r1, r2);
        assertEquals(8, responses.stream().map(r -> JsonPath.from(r.body()).getString("access_token")).distinct().count(),
                "each its own access token");
        assertNull(revokeReason(session));
        assertEquals(1, auditRows("token.refreshed", session));
        assertEquals(7, auditRows("refresh.replayed", session));
        assertEquals(0, auditRows("refresh.reuse", session));
        assertWorks(refreshed(r2).getString("access_token"));
    }

    /**
     * The race itself, made certain: the test plays the request that wins, spending r1 in an
     * open transaction; the refresh under test reads r1 unspent, then its conditional update
     * waits on the row. Once the winner commits, the update finds r1 spent, and the row read
     * again (not the session's cached copy, which still shows r1 unspent) leads to the winner's
     * successor.
     */
    @Test
    void aRefreshThatLosesTheRaceForItsTokenGetsTheWinnersSuccessor() throws Exception {
        JsonPath login = TestLogins.deviceLogin(username, PASSWORD);
        UUID session = sessionOf(login);
        String r1 = login.getString("refresh_token");
        String r2 = OpaqueTokens.newToken();
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);

        SqlConnection winner = pool.getConnection().await().indefinitely();
        try {
            Transaction transaction = winner.begin().await().indefinitely();
            winner.preparedQuery("UPDATE refresh_tokens SET used_at = $1, successor_hash = $2, successor_sealed = $3 "
                    + "WHERE token_hash = $4 AND used_at IS NULL").execute(Tuple.of(now, bytea(OpaqueTokens.digest(r2)),
                    bytea(RefreshSuccessors.seal(r1, r2)), bytea(OpaqueTokens.digest(r1)))).await().indefinitely();
            winner.preparedQuery("INSERT INTO refresh_tokens (token_hash, session_id, issued_at, expires_at) VALUES ($1, $2, $3, $4)")
                    .execute(Tuple.of(bytea(OpaqueTokens.digest(r2)), session, now, now.plusDays(30))).await().indefinitely();

            CompletableFuture<JsonPath> loser = CompletableFuture.supplyAsync(() -> refreshed(r1));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (row("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
                    .getLong(0) == 0) {
                assertTrue(System.nanoTime() < deadline, "the refresh never waited for the row");
                Thread.sleep(20);
            }
            transaction.commit().await().indefinitely();

            JsonPath result = loser.get(20, TimeUnit.SECONDS);
            assertEquals(r2, result.getString("refresh_token"));
            assertWorks(result.getString("access_token"));
        } finally {
            winner.close().await().indefinitely();
        }
        assertNull(revokeReason(session));
        assertEquals(1, auditRows("refresh.replayed", session));
        assertEquals(0, auditRows("token.refreshed", session), "the test, not the service, spent r1");
    }
}
