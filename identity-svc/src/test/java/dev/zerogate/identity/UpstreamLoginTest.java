package dev.zerogate.identity;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.AuthenticationResponseParser;
import com.nimbusds.openid.connect.sdk.AuthenticationSuccessResponse;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.zerogate.testkit.MutableClock;
import dev.zerogate.testkit.oidc.Browser;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Logging in through a real upstream OpenID provider that we did not write (oidc-provider on
 * Node): the browser login and the CLI's device login, the upstream groups claim (named
 * "roles" here) mapped into zerogate's `groups`, admins by upstream group, and the
 * failures: wrong upstream password, replayed callback, upstream error.
 */
@QuarkusTest
@IdentityDatabase
@WithTestResource(UpstreamIdp.class)
class UpstreamLoginTest {

    static final ClientID CLIENT = new ClientID("test-console");
    static final URI CALLBACK = URI.create("http://127.0.0.1:18999/callback");
    static final String UPSTREAM_LINK = "Continue with Test IdP";

    @ConfigProperty(name = "zerogate.identity.issuer")
    String issuer;

    @jakarta.inject.Inject
    MutableClock clock;

    OIDCProviderMetadata provider;
    Browser browser;

    @org.junit.jupiter.api.AfterEach
    void resetClock() {
        clock.reset();
    }

    @BeforeEach
    void setUp() throws Exception {
        provider = OIDCProviderMetadata.resolve(new Issuer(issuer));
        browser = new Browser();
    }

    /**
     * A browser login through the upstream IdP, in a fresh browser (the upstream keeps a
     * session cookie: a second login in the same browser is single sign-on, no form);
     * returns the verified ID token's claims.
     */
    IDTokenClaimsSet browserLogin(String upstreamUser) throws Exception {
        Browser browser = new Browser();
        CodeVerifier verifier = new CodeVerifier();
        AuthenticationRequest request = new AuthenticationRequest.Builder(ResponseType.CODE,
                new Scope("openid", "profile", "email", "groups"), CLIENT, CALLBACK)
                .endpointURI(provider.getAuthorizationEndpointURI()).state(new State()).nonce(new Nonce())
                .codeChallenge(verifier, CodeChallengeMethod.S256).build();
        Browser.Page loginPage = browser.get(request.toURI());
        assertEquals(200, loginPage.status());
        Browser.Page upstreamForm = browser.followLink(loginPage, UPSTREAM_LINK);
        assertTrue(upstreamForm.uri().toString().startsWith(UpstreamIdp.provider.issuer()), "at the upstream: " + upstreamForm.uri());
        URI back = browser.submitUntilRedirectTo(upstreamForm, Map.of("login", upstreamUser, "password", UpstreamIdp.PASSWORD),
                CALLBACK.toString());
        AuthenticationSuccessResponse response = AuthenticationResponseParser.parse(back).toSuccessResponse();
        assertEquals(request.getState(), response.getState());

        OIDCTokenResponse tokens = (OIDCTokenResponse) OIDCTokenResponseParser.parse(new TokenRequest(provider.getTokenEndpointURI(),
                CLIENT, new AuthorizationCodeGrant(response.getAuthorizationCode(), CALLBACK, verifier)).toHTTPRequest().send());
        return new IDTokenValidator(new Issuer(issuer), CLIENT, JWSAlgorithm.ES256, provider.getJWKSetURI().toURL())
                .validate(tokens.getOIDCTokens().getIDToken(), request.getNonce());
    }

    @Test
    void browserLoginThroughTheUpstreamMapsItsGroupsClaim() throws Exception {
        IDTokenClaimsSet erin = browserLogin("erin");
        assertEquals("erin", erin.getStringClaim("preferred_username"));
        assertEquals("erin@example.test", erin.getStringClaim("email"));
        assertEquals(Set.of("admins", "family"), Set.copyOf(erin.getStringListClaim("groups")),
                "upstream 'roles' became zerogate groups; 'admins' makes erin an admin");
        assertEquals(List.of("upstream"), erin.getStringListClaim("amr"));

        IDTokenClaimsSet gus = browserLogin("gus");
        assertEquals(List.of(), gus.getStringListClaim("groups"));
        assertTrue(!gus.getSubject().equals(erin.getSubject()));
    }

    @Test
    void theSameUpstreamAccountIsTheSameUserAtEveryLogin() throws Exception {
        assertEquals(browserLogin("finn").getSubject(), browserLogin("finn").getSubject());
    }

    @Test
    void aSecondLoginInTheSameBrowserIsSingleSignOnAtTheUpstream() {
        Browser.Page first = browser.followLink(browser.get(authorizeUri()), UPSTREAM_LINK);
        assertTrue(browser.submitUntilRedirectTo(first, Map.of("login", "erin", "password", UpstreamIdp.PASSWORD), CALLBACK.toString())
                .toString().contains("code="));
        // No form this time: the upstream's session answers, identity-svc still issues its own code.
        URI back = browser.followLinkUntilRedirectTo(browser.get(authorizeUri()), UPSTREAM_LINK, CALLBACK.toString());
        assertTrue(back.toString().contains("code="), back.toString());
    }

    URI authorizeUri() {
        return new AuthenticationRequest.Builder(ResponseType.CODE, new Scope("openid"), CLIENT, CALLBACK)
                .endpointURI(provider.getAuthorizationEndpointURI()).state(new State()).nonce(new Nonce())
                .codeChallenge(new CodeVerifier(), CodeChallengeMethod.S256).build().toURI();
    }

    @Test
    void deviceLoginThroughTheUpstreamWaitsForTheConfirmation() {
        JsonPath started = given().contentType(ContentType.URLENC).formParam("client_id", TestLogins.CLI)
                .post("/oauth2/device_authorization").then().statusCode(200).extract().jsonPath();
        Browser.Page device = browser.get(URI.create(started.getString("verification_uri_complete")));
        Browser.Page upstreamForm = browser.followLink(device, UPSTREAM_LINK);
        Browser.Page confirm = browser.submit(upstreamForm, Map.of("login", "finn", "password", UpstreamIdp.PASSWORD));
        assertTrue(confirm.body().contains("Allow this device?"), confirm.body());
        assertTrue(confirm.body().contains(started.getString("user_code")), "the page names the code to compare");

        poll(started.getString("device_code")).then().statusCode(400)
                .body("error", org.hamcrest.Matchers.equalTo("authorization_pending"));

        Browser.Page done = browser.submit(confirm, Map.of("action", "approve"));
        assertTrue(done.body().contains("Device allowed"), done.body());
        clock.shift(java.time.Duration.ofSeconds(6));
        String access = poll(started.getString("device_code")).then().statusCode(200).extract().jsonPath().getString("access_token");
        assertTrue(claimsOf(access).contains("\"groups\":[\"family\"]"), claimsOf(access));
        assertTrue(claimsOf(access).contains("\"amr\":[\"upstream\"]"), claimsOf(access));
    }

    @Test
    void aConfirmationCanBeRefused() {
        JsonPath started = given().contentType(ContentType.URLENC).formParam("client_id", TestLogins.CLI)
                .post("/oauth2/device_authorization").then().statusCode(200).extract().jsonPath();
        Browser.Page upstreamForm = browser.followLink(browser.get(URI.create(started.getString("verification_uri_complete"))), UPSTREAM_LINK);
        Browser.Page confirm = browser.submit(upstreamForm, Map.of("login", "gus", "password", UpstreamIdp.PASSWORD));
        assertTrue(browser.submit(confirm, Map.of("action", "deny")).body().contains("Device denied"));
        poll(started.getString("device_code")).then().statusCode(400).body("error", org.hamcrest.Matchers.equalTo("access_denied"));
    }

    @Test
    void aWrongUpstreamPasswordLogsNobodyIn() {
        CodeVerifier verifier = new CodeVerifier();
        URI authorize = new AuthenticationRequest.Builder(ResponseType.CODE, new Scope("openid"), CLIENT, CALLBACK)
                .endpointURI(provider.getAuthorizationEndpointURI()).state(new State()).nonce(new Nonce())
                .codeChallenge(verifier, CodeChallengeMethod.S256).build().toURI();
        Browser.Page upstreamForm = browser.followLink(browser.get(authorize), UPSTREAM_LINK);
        Browser.Page again = browser.submit(upstreamForm, Map.of("login", "erin", "password", "not it"));
        assertTrue(again.body().contains("invalid username or password"), again.body());
        assertTrue(again.uri().toString().startsWith(UpstreamIdp.provider.issuer()), "still at the upstream");
    }

    @Test
    void aReplayedUpstreamCallbackIsRefused() {
        URI authorize = new AuthenticationRequest.Builder(ResponseType.CODE, new Scope("openid"), CLIENT, CALLBACK)
                .endpointURI(provider.getAuthorizationEndpointURI()).state(new State()).nonce(new Nonce())
                .codeChallenge(new CodeVerifier(), CodeChallengeMethod.S256).build().toURI();
        Browser.Page upstreamForm = browser.followLink(browser.get(authorize), UPSTREAM_LINK);
        URI callback = browser.submitUntilRedirectTo(upstreamForm, Map.of("login", "erin", "password", UpstreamIdp.PASSWORD),
                issuer + "/login/upstream/callback");
        assertTrue(browser.getUntilRedirectTo(callback, CALLBACK.toString()).toString().contains("code="));
        Browser.Page replay = browser.get(callback);
        assertEquals(400, replay.status());
        assertTrue(replay.body().contains("expired or was already used"), replay.body());
    }

    @Test
    void anUpstreamErrorOrAnUnknownProviderIsShownPlainly() {
        given().queryParam("error", "access_denied").queryParam("state", "whatever").get("/login/upstream/callback")
                .then().statusCode(400).body(org.hamcrest.Matchers.containsString("did not log you in"));
        given().redirects().follow(false).queryParam("user_code", "BCDF-GHJK").get("/login/upstream/nope")
                .then().statusCode(400);
    }

    static io.restassured.response.Response poll(String deviceCode) {
        return given().contentType(ContentType.URLENC).formParam("grant_type", "urn:ietf:params:oauth:grant-type:device_code")
                .formParam("device_code", deviceCode).formParam("client_id", TestLogins.CLI).post("/oauth2/token");
    }

    static String claimsOf(String jwt) {
        return new String(java.util.Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), java.nio.charset.StandardCharsets.UTF_8);
    }
}
