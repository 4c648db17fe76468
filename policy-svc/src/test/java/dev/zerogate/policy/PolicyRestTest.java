package dev.zerogate.policy;

import dev.zerogate.testkit.identity.TestIdentity;
import dev.zerogate.testkit.identity.TestIdentity.Claims;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The REST/JSON API over real HTTP: the same model in proto3 JSON, ETags, problem documents, OpenAPI, audit export. */
@QuarkusTest
@PolicyDatabase
class PolicyRestTest {

    static final String PROBLEM = "application/problem+json";

    static String admin() {
        return "Bearer " + TestIdentity.instance().token(Claims.user(UUID.randomUUID().toString(), "admins"));
    }

    static String tag() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void anEntityIsCreatedReadAndUpdatedWithItsEtag() {
        String auth = admin();
        Response created = given().header("Authorization", auth).contentType(ContentType.JSON)
                .body("{\"name\": \"home-" + tag() + "\", \"description\": \"the LAN\"}")
                .post("/api/v1/remote-networks");
        created.then().statusCode(201).body("description", equalTo("the LAN"));
        String id = created.jsonPath().getString("id");
        String etag = created.header("ETag");
        assertEquals("\"" + created.jsonPath().getString("etag") + "\"", etag);

        given().header("Authorization", auth).get("/api/v1/remote-networks/" + id).then().statusCode(200).header("ETag", etag);
        given().header("Authorization", auth).contentType(ContentType.JSON).header("If-Match", etag)
                .body("{\"description\": \"the home LAN\"}").queryParam("update_mask", "description")
                .patch("/api/v1/remote-networks/" + id)
                .then().statusCode(200).body("description", equalTo("the home LAN"));
        // The old etag is stale now.
        given().header("Authorization", auth).contentType(ContentType.JSON).header("If-Match", etag)
                .body("{\"description\": \"lost update\"}").queryParam("update_mask", "description")
                .patch("/api/v1/remote-networks/" + id)
                .then().statusCode(412).contentType(PROBLEM).body("status", equalTo(412)).body("detail", containsString("etag"));
        given().header("Authorization", auth).delete("/api/v1/remote-networks/" + id).then().statusCode(204);
        given().header("Authorization", auth).get("/api/v1/remote-networks/" + id).then().statusCode(404).contentType(PROBLEM);
    }

    @Test
    void badInputIsAProblemDocumentNamingTheField() {
        String auth = admin();
        String network = given().header("Authorization", auth).contentType(ContentType.JSON)
                .body("{\"name\": \"lab-" + tag() + "\"}").post("/api/v1/remote-networks").jsonPath().getString("id");
        given().header("Authorization", auth).contentType(ContentType.JSON)
                .body("{\"remote_network_id\": \"" + network + "\", \"name\": \"x\", \"address\": {\"cidr\": \"10.0.0.0/99\"}}")
                .post("/api/v1/resources")
                .then().statusCode(400).contentType(PROBLEM).body("field", containsString("address")).body("title", equalTo("Bad Request"));
        given().header("Authorization", auth).contentType(ContentType.JSON).body("{\"name\": ")
                .post("/api/v1/remote-networks")
                .then().statusCode(400).contentType(PROBLEM).body("field", equalTo("body"));
        given().header("Authorization", auth).contentType(ContentType.JSON).body("{\"no_such_field\": 1}")
                .post("/api/v1/remote-networks")
                .then().statusCode(400).contentType(PROBLEM);
        given().header("Authorization", auth).queryParam("page_size", -1).get("/api/v1/resources")
                .then().statusCode(400).contentType(PROBLEM).body("field", equalTo("page_size"));
    }

    @Test
    void onlyAdminsMayUseIt() {
        given().get("/api/v1/groups").then().statusCode(401).contentType(PROBLEM).header("WWW-Authenticate", "Bearer");
        given().header("Authorization", "Bearer " + TestIdentity.instance().token(Claims.user(UUID.randomUUID().toString(), "family")))
                .get("/api/v1/groups").then().statusCode(403).contentType(PROBLEM).body("detail", containsString("admins"));
        given().header("Authorization", "Bearer forged.token.here").get("/api/v1/groups").then().statusCode(401).contentType(PROBLEM);
    }

    @Test
    void theOpenApiDocumentDescribesTheApi() {
        String document = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().asString();
        for (String path : new String[] {"/api/v1/remote-networks", "/api/v1/connectors/{id}", "/api/v1/resources",
                "/api/v1/groups", "/api/v1/access-rules/{id}", "/api/v1/audit-events/export"}) {
            assertTrue(document.contains("\"" + path + "\""), "the document lists " + path);
        }
        assertTrue(document.contains("bearer"), "and its bearer security scheme");
    }

    @Test
    void theAuditLogIsQueriedAndExportedAsJsonLines() {
        String adminId = UUID.randomUUID().toString();
        String auth = "Bearer " + TestIdentity.instance().token(Claims.user(adminId, "admins"));
        for (int i = 0; i < 3; i++) {
            given().header("Authorization", auth).contentType(ContentType.JSON).body("{\"name\": \"audited-" + tag() + "\"}")
                    .post("/api/v1/remote-networks").then().statusCode(201);
        }
        given().header("Authorization", auth).queryParam("subject_id", adminId).queryParam("action", "policy.remote_network.")
                .get("/api/v1/audit-events")
                .then().statusCode(200).body("events.size()", equalTo(3)).body("events[0].actor.id", equalTo(adminId));
        String auditor = "Bearer " + TestIdentity.instance().token(Claims.user(UUID.randomUUID().toString(), "auditors"));
        String lines = given().header("Authorization", auditor).queryParam("subject_id", adminId).queryParam("limit", 2)
                .get("/api/v1/audit-events/export")
                .then().statusCode(200).contentType("application/x-ndjson").header("Zerogate-Resume-After-Sequence", org.hamcrest.Matchers.notNullValue())
                .extract().asString();
        String[] events = lines.strip().split("\n");
        assertEquals(2, events.length);
        assertTrue(events[0].startsWith("{") && events[0].contains("policy.remote_network.create"), events[0]);
        given().header("Authorization", "Bearer " + TestIdentity.instance().token(Claims.user(UUID.randomUUID().toString(), "family")))
                .get("/api/v1/audit-events").then().statusCode(403).contentType(PROBLEM);
    }
}
