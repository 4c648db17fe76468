package dev.zerogate.identity;

import dev.zerogate.identity.crypto.Totp;
import dev.zerogate.identity.service.LocalAccountService;
import dev.zerogate.proto.identity.v1.AccountServiceGrpc;
import dev.zerogate.proto.identity.v1.ConfirmTotpEnrollmentRequest;
import dev.zerogate.proto.identity.v1.StartTotpEnrollmentRequest;
import dev.zerogate.proto.identity.v1.StartTotpEnrollmentResponse;
import dev.zerogate.servicekit.token.AccessTokenVerifier;
import dev.zerogate.testkit.GrpcProbe;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TOTP: enrolled over gRPC, then required at every password login, and never accepted twice. */
@QuarkusTest
@IdentityDatabase
class SecondFactorTest {

    static final String PASSWORD = "correct horse battery staple";

    @Inject
    LocalAccountService accounts;

    @Inject
    Totp totp;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @ConfigProperty(name = "zerogate.identity.issuer")
    String issuer;

    String username;

    JsonPath start() {
        return given().contentType(ContentType.URLENC).formParam("client_id", "zerogate-cli")
                .post("/oauth2/device_authorization").then().statusCode(200).extract().jsonPath();
    }

    ValidatableResponse approve(String userCode, String otp) {
        var request = given().contentType(ContentType.URLENC).formParam("user_code", userCode).formParam("username", username)
                .formParam("password", PASSWORD).formParam("action", "approve");
        if (otp != null) {
            request.formParam("otp", otp);
        }
        return request.post("/device").then();
    }

    String poll(String deviceCode) {
        return given().contentType(ContentType.URLENC).formParam("grant_type", "urn:ietf:params:oauth:grant-type:device_code")
                .formParam("device_code", deviceCode).formParam("client_id", "zerogate-cli")
                .post("/oauth2/token").then().statusCode(200).extract().jsonPath().getString("access_token");
    }

    AccountServiceGrpc.AccountServiceBlockingStub account(GrpcProbe probe, String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return AccountServiceGrpc.newBlockingStub(probe.channel()).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    static long currentStep() {
        return Instant.now().getEpochSecond() / 30;
    }

    @Test
    void enrolledAccountNeedsAFreshCodeAtEveryLogin() throws Exception {
        username = "mfa-" + UUID.randomUUID().toString().substring(0, 8);
        SigningKeysTest.onVertx(() -> accounts.create(username, PASSWORD.toCharArray(), false));
        JsonPath first = start();
        approve(first.getString("user_code"), null).statusCode(200);
        String token = poll(first.getString("device_code"));

        String secret;
        try (GrpcProbe probe = GrpcProbe.connect(port)) {
            StartTotpEnrollmentResponse enrolment = account(probe, token).startTotpEnrollment(StartTotpEnrollmentRequest.getDefaultInstance());
            secret = enrolment.getSecret();
            assertTrue(enrolment.getOtpauthUri().startsWith("otpauth://totp/"), enrolment.getOtpauthUri());
            assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class, () -> account(probe, token)
                    .confirmTotpEnrollment(ConfirmTotpEnrollmentRequest.newBuilder().setCode("000000").build())).getStatus().getCode());
            account(probe, token).confirmTotpEnrollment(ConfirmTotpEnrollmentRequest.newBuilder()
                    .setCode(totp.code(secret, currentStep() - 1)).build());
            assertEquals(Status.Code.FAILED_PRECONDITION, assertThrows(StatusRuntimeException.class, () -> account(probe, token)
                    .startTotpEnrollment(StartTotpEnrollmentRequest.getDefaultInstance())).getStatus().getCode());
        }

        JsonPath second = start();
        String userCode = second.getString("user_code");
        approve(userCode, null).statusCode(401).body(containsString("one-time code"));
        approve(userCode, "123456".equals(totp.code(secret, currentStep())) ? "654321" : "123456")
                .statusCode(401).body(containsString("wrong username or password"));
        String code = totp.code(secret, currentStep());
        approve(userCode, code).statusCode(200).body(containsString("Device allowed"));
        var verified = new AccessTokenVerifier(issuer, "zerogate", Duration.ofSeconds(30))
                .verify(poll(second.getString("device_code")), given().get("/oauth2/jwks").asString(), Optional.empty());
        assertEquals(List.of("pwd", "otp"), verified.authenticationMethods());

        // The same code again, within its window: refused as a replay.
        JsonPath third = start();
        approve(third.getString("user_code"), code).statusCode(401).body(containsString("wrong username or password"));
    }
}
