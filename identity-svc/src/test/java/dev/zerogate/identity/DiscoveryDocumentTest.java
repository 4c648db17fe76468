package dev.zerogate.identity;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code /.well-known/zerogate-configuration} as the test profile configures it. */
@QuarkusTest
@IdentityDatabase
class DiscoveryDocumentTest {

    @Test
    void servesIdentityPolicyAndRelaysFromConfigurationWithoutAToken() {
        String body = given().get("/.well-known/zerogate-configuration").then()
                .statusCode(200)
                .contentType("application/json")
                .header("Cache-Control", "public, max-age=300")
                .extract().asString();
        JsonPath json = JsonPath.from(body);
        assertEquals("http://127.0.0.1:18101", json.getString("issuer"));
        assertEquals("http://127.0.0.1:18101", json.getString("identity_url"));
        assertEquals("http://127.0.0.1:18102", json.getString("policy_url"));
        assertEquals(List.of(
                Map.of("url", "https://relay-a.example.test:7405", "preamble_key", "ZQe0kAmJpB1m2mnk4Nn0fyFL2PU6OHLBzQ2sYJBSeWw"),
                Map.of("url", "http://127.0.0.1:18105", "preamble_key", "dhnJJRrZszckKdi09-6Y1roWsl8ehGoq4Q30LwDACjM")),
                json.getList("relays"));
        assertEquals(List.of(1), json.getList("tunnel_protocol_versions"));
    }
}
