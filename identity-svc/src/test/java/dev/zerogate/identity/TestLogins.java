package dev.zerogate.identity;

import io.grpc.stub.AbstractStub;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import static io.restassured.RestAssured.given;

/** Logging in over real HTTP the way the CLI does, and presenting the token over gRPC. */
final class TestLogins {

    static final String CLI = "zerogate-cli";

    private TestLogins() {
    }

    /** A complete device login of a built-in account: the token response (access_token, refresh_token). */
    static JsonPath deviceLogin(String username, String password) {
        return deviceLogin(username, password, null);
    }

    /** Like {@link #deviceLogin(String, String)}, with the tokens bound to a device key (RFC 7638 thumbprint), if given. */
    static JsonPath deviceLogin(String username, String password, String deviceKeyThumbprint) {
        var start = given().contentType(ContentType.URLENC).formParam("client_id", CLI);
        if (deviceKeyThumbprint != null) {
            start.formParam("zg_device_key", deviceKeyThumbprint);
        }
        JsonPath started = start.post("/oauth2/device_authorization").then().statusCode(200).extract().jsonPath();
        given().contentType(ContentType.URLENC).formParam("user_code", started.getString("user_code"))
                .formParam("username", username).formParam("password", password).formParam("action", "approve")
                .post("/device").then().statusCode(200);
        return given().contentType(ContentType.URLENC).formParam("grant_type", "urn:ietf:params:oauth:grant-type:device_code")
                .formParam("device_code", started.getString("device_code")).formParam("client_id", CLI)
                .post("/oauth2/token").then().statusCode(200).extract().jsonPath();
    }

    /** {@code stub} sending {@code authorization: Bearer <token>}. */
    static <S extends AbstractStub<S>> S withBearer(S stub, String token) {
        return dev.zerogate.testkit.GrpcProbe.withBearer(stub, token);
    }

    /** Ends the session of {@code refreshToken} through the revocation endpoint (RFC 7009). */
    static void revoke(String refreshToken) {
        given().contentType(ContentType.URLENC).formParam("token", refreshToken).formParam("client_id", CLI)
                .post("/oauth2/revoke").then().statusCode(200);
    }
}
