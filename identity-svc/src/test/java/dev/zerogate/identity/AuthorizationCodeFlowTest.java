package dev.zerogate.identity;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.AuthenticationResponse;
import com.nimbusds.openid.connect.sdk.AuthenticationResponseParser;
import com.nimbusds.openid.connect.sdk.AuthenticationSuccessResponse;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.UserInfo;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.AccessTokenValidator;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.zerogate.identity.service.LocalAccountService;
import dev.zerogate.testkit.MutableClock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The browser login (OpenID Connect authorization code flow with PKCE) driven by an
 * off-the-shelf relying-party library (Nimbus OAuth 2.0 SDK with OpenID Connect extensions),
 * unchanged: discovery, the authorization request, the response, the code exchange, ID-token
 * validation and userinfo. Then every bad request the RFCs name.
 */
@QuarkusTest
@IdentityDatabase
class AuthorizationCodeFlowTest {

    static final ClientID CLIENT = new ClientID("test-console");
    static final URI CALLBACK = URI.create("http://127.0.0.1:18999/callback");
    static final String PASSWORD = "correct horse battery staple";
    private static final Pattern LOGIN_REQUEST = Pattern.compile("name=\"login_request\" value=\"([A-Za-z0-9_-]+)\"");

    @Inject
    LocalAccountService accounts;

    @Inject
    MutableClock clock;

    @Inject
    Pool pool;

    @ConfigProperty(name = "zerogate.identity.issuer")
    String issuer;

    String username;
    OIDCProviderMetadata provider;

    @BeforeEach
    void setUp() throws Exception {
        username = "carol-" + UUID.randomUUID().toString().substring(0, 8);
        SigningKeysTest.onVertx(() -> accounts.create(username, PASSWORD.toCharArray(), true));
        provider = OIDCProviderMetadata.resolve(new Issuer(issuer));
    }

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    /** One authorization request as the library builds it. */
    record Started(AuthenticationRequest request, CodeVerifier verifier) {
    }

    Started authorizationRequest(URI callback) {
        CodeVerifier verifier = new CodeVerifier();
        AuthenticationRequest request = new AuthenticationRequest.Builder(ResponseType.CODE,
                new Scope("openid", "profile", "email", "groups", "offline_access"), CLIENT, callback)
                .endpointURI(provider.getAuthorizationEndpointURI())
                .state(new State())
                .nonce(new Nonce())
                .codeChallenge(verifier, CodeChallengeMethod.S256)
                .build();
        return new Started(request, verifier);
    }

    /** The login page for {@code authorize}: its hidden login request id. */
    static String loginRequestOf(URI authorize) {
        String page = given().urlEncodingEnabled(false).redirects().follow(false).get(authorize).then().statusCode(200)
                .header("X-Frame-Options", "DENY").extract().asString();
        Matcher m = LOGIN_REQUEST.matcher(page);
        assertTrue(m.find(), "the login page carries its login request");
        return m.group(1);
    }

    Response submitLogin(String loginRequest, String password) {
        return given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParam("login_request", loginRequest).formParam("username", username).formParam("password", password)
                .post("/login");
    }

    /** Logs in through the login page and returns the code response the browser is sent back with. */
    AuthenticationSuccessResponse logIn(Started started) throws Exception {
        Response login = submitLogin(loginRequestOf(started.request().toURI()), PASSWORD);
        assertEquals(303, login.statusCode());
        AuthenticationResponse response = AuthenticationResponseParser.parse(URI.create(login.header("Location")));
        assertTrue(response.indicatesSuccess(), login.header("Location"));
        return response.toSuccessResponse();
    }

    TokenResponse redeem(AuthorizationCode code, URI callback, CodeVerifier verifier) throws Exception {
        return OIDCTokenResponseParser.parse(new TokenRequest(provider.getTokenEndpointURI(), CLIENT,
                new AuthorizationCodeGrant(code, callback, verifier)).toHTTPRequest().send());
    }

    static String error(TokenResponse response) {
        assertFalse(response.indicatesSuccess(), "the token endpoint must refuse");
        return ((TokenErrorResponse) response).getErrorObject().getCode();
    }

    long sessions() {
        return pool.query("SELECT count(*) FROM sessions").execute().await().indefinitely().iterator().next().getLong(0);
    }

    @Test
    void discoveryDescribesTheProvider() {
        assertEquals(issuer, provider.getIssuer().getValue());
        assertEquals(URI.create(issuer + "/oauth2/authorize"), provider.getAuthorizationEndpointURI());
        assertEquals(URI.create(issuer + "/oauth2/userinfo"), provider.getUserInfoEndpointURI());
        assertEquals(List.of(CodeChallengeMethod.S256), provider.getCodeChallengeMethods());
        assertEquals(List.of(JWSAlgorithm.ES256), provider.getIDTokenJWSAlgs());
        assertTrue(provider.getResponseTypes().contains(ResponseType.CODE));
        // RFC 8414 metadata is the same document.
        Map<String, Object> rfc8414 = given().get("/.well-known/oauth-authorization-server").then().statusCode(200)
                .extract().jsonPath().getMap("");
        assertEquals(provider.getTokenEndpointURI().toString(), rfc8414.get("token_endpoint"));
    }

    @Test
    void fullLoginWithPkceYieldsVerifiedIdTokenAndUserinfo() throws Exception {
        Started started = authorizationRequest(CALLBACK);
        AuthenticationSuccessResponse response = logIn(started);
        assertEquals(started.request().getState(), response.getState());
        assertEquals(issuer, response.getIssuer().getValue(), "RFC 9207 iss in the response");

        OIDCTokenResponse tokens = (OIDCTokenResponse) redeem(response.getAuthorizationCode(), CALLBACK, started.verifier());
        IDTokenClaimsSet id = new IDTokenValidator(new Issuer(issuer), CLIENT, JWSAlgorithm.ES256,
                provider.getJWKSetURI().toURL()).validate(tokens.getOIDCTokens().getIDToken(), started.request().getNonce());
        assertEquals(username, id.getStringClaim("preferred_username"));
        assertEquals(List.of("pwd"), id.getStringListClaim("amr"));
        assertNotNull(id.getAuthenticationTime());
        AccessTokenValidator.validate(tokens.getOIDCTokens().getAccessToken(), JWSAlgorithm.ES256, id.getAccessTokenHash());
        assertNotNull(tokens.getOIDCTokens().getRefreshToken());

        UserInfo info = UserInfoResponse.parse(new UserInfoRequest(provider.getUserInfoEndpointURI(),
                (BearerAccessToken) tokens.getOIDCTokens().getAccessToken()).toHTTPRequest().send()).toSuccessResponse().getUserInfo();
        assertEquals(id.getSubject(), info.getSubject());
        assertEquals(List.of("admins"), info.getStringListClaim("groups"), "a built-in admin is in the admin group");
    }

    @Test
    void wrongVerifierMismatchedRedirectAndUnknownClientAreRefusedAndStoreNothing() throws Exception {
        Started started = authorizationRequest(CALLBACK);
        AuthorizationCode code = logIn(started).getAuthorizationCode();
        long before = sessions();

        assertEquals("invalid_grant", error(redeem(code, CALLBACK, new CodeVerifier())));
        assertEquals("invalid_grant", error(redeem(code, URI.create("http://localhost:18999/other"), started.verifier())));
        assertEquals("invalid_client", error(OIDCTokenResponseParser.parse(new TokenRequest(provider.getTokenEndpointURI(),
                new ClientID("nobody"), new AuthorizationCodeGrant(code, CALLBACK, started.verifier())).toHTTPRequest().send())));
        assertEquals(before, sessions(), "no failed redemption opened a session");

        // The code was not spent by the failures: the rightful client still redeems it.
        assertTrue(redeem(code, CALLBACK, started.verifier()).indicatesSuccess());
    }

    @Test
    void aCodeIsSingleUseAndItsReuseEndsTheSessionItOpened() throws Exception {
        Started started = authorizationRequest(CALLBACK);
        AuthorizationCode code = logIn(started).getAuthorizationCode();
        OIDCTokenResponse first = (OIDCTokenResponse) redeem(code, CALLBACK, started.verifier());

        assertEquals("invalid_grant", error(redeem(code, CALLBACK, started.verifier())));

        given().contentType(ContentType.URLENC).formParam("grant_type", "refresh_token").formParam("client_id", CLIENT.getValue())
                .formParam("refresh_token", first.getOIDCTokens().getRefreshToken().getValue())
                .post("/oauth2/token").then().statusCode(400).body("error", org.hamcrest.Matchers.equalTo("invalid_grant"));
        given().auth().oauth2(first.getOIDCTokens().getAccessToken().getValue()).get("/oauth2/userinfo")
                .then().statusCode(401).header("WWW-Authenticate", containsString("invalid_token"));
    }

    @Test
    void anExpiredCodeIsRefused() throws Exception {
        Started started = authorizationRequest(CALLBACK);
        AuthorizationCode code = logIn(started).getAuthorizationCode();
        clock.shift(Duration.ofSeconds(61));
        assertEquals("invalid_grant", error(redeem(code, CALLBACK, started.verifier())));
    }

    @Test
    void unknownClientOrUnregisteredRedirectIsShownNotRedirected() {
        given().redirects().follow(false).queryParam("response_type", "code").queryParam("client_id", "nobody")
                .queryParam("redirect_uri", CALLBACK.toString()).get("/oauth2/authorize")
                .then().statusCode(400).body(containsString("unknown client"));
        given().redirects().follow(false).queryParam("response_type", "code").queryParam("client_id", CLIENT.getValue())
                .queryParam("redirect_uri", "http://127.0.0.1:18999/callback/evil").get("/oauth2/authorize")
                .then().statusCode(400).body(containsString("not registered"));
    }

    @Test
    void badAuthorizationRequestsGoBackToTheClientWithTheRfcError() {
        String challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        record Case(String why, Map<String, String> params, String error) {
        }
        List<Case> cases = List.of(
                new Case("no PKCE", Map.of("response_type", "code"), "invalid_request"),
                new Case("plain PKCE", Map.of("response_type", "code", "code_challenge", challenge, "code_challenge_method", "plain"),
                        "invalid_request"),
                new Case("implicit flow", Map.of("response_type", "token", "code_challenge", challenge, "code_challenge_method", "S256"),
                        "unsupported_response_type"),
                new Case("unknown scope", Map.of("response_type", "code", "code_challenge", challenge, "code_challenge_method", "S256",
                        "scope", "openid admin"), "invalid_scope"),
                new Case("prompt=none", Map.of("response_type", "code", "code_challenge", challenge, "code_challenge_method", "S256",
                        "prompt", "none"), "login_required"));
        for (Case c : cases) {
            String location = given().redirects().follow(false).queryParams(c.params())
                    .queryParam("client_id", CLIENT.getValue()).queryParam("redirect_uri", CALLBACK.toString())
                    .queryParam("state", "s-1").get("/oauth2/authorize")
                    .then().statusCode(303).extract().header("Location");
            assertTrue(location.startsWith(CALLBACK + "?error=" + c.error() + "&state=s-1&iss="), c.why() + ": " + location);
        }
    }

    @Test
    void wrongPasswordShowsTheFormAgainAndIssuesNoCode() {
        Started started = authorizationRequest(CALLBACK);
        String loginRequest = loginRequestOf(started.request().toURI());
        Response failed = submitLogin(loginRequest, "not the password");
        assertEquals(401, failed.statusCode());
        assertTrue(failed.asString().contains("login_request"), "the form is shown again");
        assertEquals(null, failed.header("Location"));
        // The same login request still works with the right password.
        assertEquals(303, submitLogin(loginRequest, PASSWORD).statusCode());
    }

    @Test
    void malformedTokenRequestsGetInvalidRequest() {
        given().contentType(ContentType.URLENC).formParam("grant_type", "authorization_code")
                .formParam("client_id", CLIENT.getValue()).formParam("code", "abc").formParam("code", "def")
                .post("/oauth2/token").then().statusCode(400).body("error", org.hamcrest.Matchers.equalTo("invalid_request"));
        given().contentType(ContentType.URLENC).formParam("grant_type", "authorization_code")
                .formParam("client_id", CLIENT.getValue()).formParam("code", "abc").formParam("redirect_uri", CALLBACK.toString())
                .post("/oauth2/token").then().statusCode(400).body("error", org.hamcrest.Matchers.equalTo("invalid_request"));
        given().contentType(ContentType.JSON).body("{\"grant_type\":\"authorization_code\"}")
                .post("/oauth2/token").then().statusCode(415);
    }
}
