package dev.zerogate.connector;

import dev.zerogate.testkit.ServiceEndpointsContract;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class ConnectorEndpointsTest extends ServiceEndpointsContract {

    @Inject
    StateDirectory stateDirectory;

    /** The connector serves no contract of its own: it dials out. Health and reflection only. */
    @Override
    protected List<String> contracts() {
        return List.of();
    }

    @Test
    void stateDirectoryIsCreatedOwnerOnly() throws Exception {
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(stateDirectory.path())));
    }

    @Test
    void readinessFailsWhileTheStateDirectoryIsOpenToOthers() throws Exception {
        var path = stateDirectory.path();
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            given().when().get("/q/health/ready")
                    .then().statusCode(503)
                    .body("checks.find { it.name == 'state directory' }.data.reason", equalTo("permissions are not 0700"));
        } finally {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
        }
        given().when().get("/q/health/ready").then().statusCode(200);
    }
}
