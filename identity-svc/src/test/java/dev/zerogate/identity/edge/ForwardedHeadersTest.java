package dev.zerogate.identity.edge;

import dev.zerogate.identity.IdentityDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ZEROGATE_TRUSTED_PROXIES=127.0.0.2}: the address a login is audited (and throttled) by is
 * the forwarded one only when the request came from that proxy; from anyone else the headers
 * are ignored. And even through the trusted proxy, nothing identity-svc publishes follows a
 * forwarded host.
 */
@QuarkusTest
@IdentityDatabase
@TestProfile(ForwardedHeadersTest.BehindProxy.class)
class ForwardedHeadersTest {

    public static class BehindProxy implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("zerogate.trusted-proxies", "127.0.0.2");
        }
    }

    private static final String PROXY = "127.0.0.2";

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @ConfigProperty(name = "zerogate.identity.issuer")
    String issuer;

    @Inject
    Pool pool;

    private String userCode() {
        return given().contentType(ContentType.URLENC).formParam("client_id", "zerogate-cli")
                .post("/oauth2/device_authorization").then().statusCode(200).extract().jsonPath().getString("user_code");
    }

    private String failedLogin(String from, String username, String... headers) throws Exception {
        String form = "user_code=" + URLEncoder.encode(userCode(), StandardCharsets.UTF_8) + "&username=" + username
                + "&password=wrong&action=approve";
        String response = RawHttp.postForm(from, port, "/device", form, "Host: 127.0.0.1\r\n", String.join("", headers));
        assertEquals(401, RawHttp.status(response));
        return auditedSources(username).get(0);
    }

    private List<String> auditedSources(String actor) {
        List<String> sources = new ArrayList<>();
        pool.preparedQuery("SELECT source FROM audit_events WHERE action = 'login' AND actor = $1")
                .execute(Tuple.of(actor)).await().indefinitely().forEach(row -> sources.add(row.getString(0)));
        assertEquals(1, sources.size(), "one login audited for " + actor);
        return sources;
    }

    private static String someone() {
        return "mallory-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void loginFromTheTrustedProxyIsAuditedWithTheForwardedAddress() throws Exception {
        assertEquals("203.0.113.7", failedLogin(PROXY, someone(), "X-Forwarded-For: 203.0.113.7\r\n"));
        assertEquals("203.0.113.8", failedLogin(PROXY, someone(), "Forwarded: for=203.0.113.8\r\n"));
    }

    @Test
    void loginFromAnyoneElseIgnoresForwardedHeaders() throws Exception {
        assertEquals("127.0.0.1", failedLogin("127.0.0.1", someone(), "X-Forwarded-For: 203.0.113.7\r\n",
                "Forwarded: for=203.0.113.8\r\n"));
    }

    @Test
    void theTrustedProxyCannotChangeWhatIsPublished() throws Exception {
        String headers = "X-Forwarded-Host: evil.example\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Port: 443\r\n";
        String metadata = RawHttp.get(PROXY, port, "/.well-known/oauth-authorization-server", "Host: evil.example\r\n", headers);
        assertEquals(200, RawHttp.status(metadata));
        assertFalse(metadata.contains("evil.example"), metadata);
        assertTrue(metadata.contains("\"token_endpoint\":\"" + issuer + "/oauth2/token\""), metadata);

        String device = RawHttp.postForm(PROXY, port, "/oauth2/device_authorization", "client_id=zerogate-cli",
                "Host: evil.example\r\n", headers);
        assertEquals(200, RawHttp.status(device));
        assertFalse(device.contains("evil.example"), device);
        assertTrue(device.contains("\"verification_uri\":\"" + issuer + "/device\""), device);
    }
}
