package dev.zerogate.identity.edge;

import dev.zerogate.identity.IdentityDatabase;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What relying parties and native apps meet at identity-svc's edge: the JWK Set in the type they
 * ask for, loopback redirect URIs on any port (RFC 8252 7.3) and nothing else leniently, and
 * published URLs that a request's Host header cannot change.
 */
@QuarkusTest
@IdentityDatabase
class PublicEdgeTest {

    private static final String CLIENT = "test-console";

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @ConfigProperty(name = "zerogate.identity.issuer")
    String issuer;

    @Test
    void jwksAnswersApplicationJsonWhenThatIsWhatIsAccepted() {
        given().accept("application/json").get("/oauth2/jwks").then().statusCode(200)
                .contentType(startsWith("application/json")).body(containsString("\"keys\""));
    }

    @Test
    void jwksAnswersItsOwnTypeWhenAskedOrWhenAnythingGoes() {
        given().accept("application/jwk-set+json").get("/oauth2/jwks").then().statusCode(200)
                .contentType(startsWith("application/jwk-set+json"));
        given().accept("*/*").get("/oauth2/jwks").then().statusCode(200).contentType(startsWith("application/jwk-set+json"));
        given().accept("application/json;q=0.5, application/jwk-set+json").get("/oauth2/jwks").then().statusCode(200)
                .contentType(startsWith("application/jwk-set+json"));
    }

    @Test
    void jwksRefusesTypesItCannotServe() {
        given().accept("text/html").get("/oauth2/jwks").then().statusCode(406);
    }

    private io.restassured.response.ValidatableResponse authorize(String redirectUri) {
        return given().redirects().follow(false).queryParam("response_type", "code").queryParam("client_id", CLIENT)
                .queryParam("redirect_uri", redirectUri).queryParam("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
                .queryParam("code_challenge_method", "S256").queryParam("state", "s1").queryParam("scope", "openid")
                .get("/oauth2/authorize").then();
    }

    @Test
    void loopbackRedirectOnAnotherPortIsAccepted() {
        authorize("http://127.0.0.1:18999/callback").statusCode(200);
        authorize("http://127.0.0.1:54321/callback").statusCode(200);
        authorize("http://127.0.0.1/callback").statusCode(200);
        authorize("http://localhost:41000/other").statusCode(200);
    }

    @Test
    void loopbackRedirectWithAnotherPathOrHostIsRefused() {
        authorize("http://127.0.0.1:54321/callback/evil").statusCode(400).body(containsString("not registered"));
        authorize("http://127.0.0.1:54321/callback?x=1").statusCode(400).body(containsString("not registered"));
        authorize("http://localhost:54321/callback").statusCode(400).body(containsString("not registered"));
        authorize("http://127.0.0.2:54321/callback").statusCode(400).body(containsString("not registered"));
        authorize("http://[::1]:54321/callback").statusCode(400).body(containsString("not registered"));
        authorize("https://127.0.0.1:54321/callback").statusCode(400).body(containsString("not registered"));
    }

    @Test
    void nonLoopbackRedirectOnAnotherPortIsRefused() {
        authorize("https://console.example.com:8443/callback").statusCode(200);
        authorize("https://console.example.com:9443/callback").statusCode(400).body(containsString("not registered"));
        authorize("https://console.example.com/callback").statusCode(400).body(containsString("not registered"));
    }

    @Test
    void forgedHostDoesNotChangeTheMetadata() throws Exception {
        String honest = RawHttp.get("127.0.0.1", port, "/.well-known/openid-configuration", "Host: 127.0.0.1\r\n");
        String forged = RawHttp.get("127.0.0.1", port, "/.well-known/openid-configuration", "Host: evil.example\r\n",
                "X-Forwarded-Host: evil.example\r\n", "X-Forwarded-Proto: https\r\n", "Forwarded: host=evil.example;proto=https\r\n");
        assertEquals(200, RawHttp.status(forged));
        assertEquals(body(honest), body(forged));
        assertTrue(body(forged).contains("\"issuer\":\"" + issuer + "\""), body(forged));
        assertFalse(forged.contains("evil.example"));
    }

    static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }
}
