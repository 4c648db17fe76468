package dev.zerogate.identity;

import dev.zerogate.testkit.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;

import dev.zerogate.identity.repository.UserRepository;
import dev.zerogate.identity.service.FirstAdminSetup;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Optional;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The first admin is created through a one-time link, and only once. Runs on a database of
 * its own: other tests create admins, and this one needs a system that has none yet.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class,
        initArgs = @ResourceArg(name = "database", value = "zerogate_identity_first_admin"))
class FirstAdminSetupTest {

    static final String PASSWORD = "a long enough admin password";

    @Inject
    FirstAdminSetup setup;

    @Inject
    UserRepository users;

    ValidatableResponse submit(String token, String username, String password, String confirm) {
        return given().contentType(ContentType.URLENC).formParam("token", token).formParam("username", username)
                .formParam("password", password).formParam("confirm", confirm)
                .post("/setup").then().header("X-Frame-Options", "DENY");
    }

    @Test
    void oneTimeLinkCreatesTheFirstAdminOnce() {
        Optional<String> printedAtStart = SigningKeysTest.onVertx(setup::newLinkIfNoAdmin);
        Optional<String> link = SigningKeysTest.onVertx(setup::newLinkIfNoAdmin);
        assertTrue(link.isPresent(), "no admin yet, so a link is made");
        String token = URI.create(link.get()).getQuery().substring("token=".length());
        String older = URI.create(printedAtStart.orElseThrow()).getQuery().substring("token=".length());

        given().queryParam("token", older).get("/setup").then().statusCode(404);
        given().queryParam("token", token).get("/setup").then().statusCode(200).body(containsString("first admin"));

        submit(token, "admin", "short", "short").statusCode(400).body(containsString("at least 12 characters"));
        submit(token, "admin", PASSWORD, PASSWORD + "x").statusCode(400).body(containsString("differ"));
        submit(token, "Not Valid!", PASSWORD, PASSWORD).statusCode(400).body(containsString("lower-case"));
        submit(token, "root", PASSWORD, PASSWORD).statusCode(200).body(containsString("first admin"));

        submit(token, "root2", PASSWORD, PASSWORD).statusCode(400).body(containsString("not valid any more"));
        assertEquals(Optional.empty(), SigningKeysTest.onVertx(setup::newLinkIfNoAdmin), "an admin exists: no more links");

        User admin = SigningKeysTest.onVertx(() -> Panache.withSession(() -> users.findByUsername("root")));
        assertTrue(admin.admin);
        assertTrue(admin.passwordHash.startsWith("$argon2id$"), admin.passwordHash);
        assertFalse(admin.passwordHash.contains(PASSWORD));
    }
}
