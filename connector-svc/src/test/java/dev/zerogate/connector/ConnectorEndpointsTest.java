package dev.zerogate.connector;

import dev.zerogate.proto.connector.v1.ConnectorStatusServiceGrpc;
import dev.zerogate.proto.connector.v1.GetStatusRequest;
import dev.zerogate.proto.connector.v1.GetStatusResponse;
import dev.zerogate.testkit.NettyPoolSettings;
import dev.zerogate.testkit.ServiceEndpointsContract;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With credentials from the identity stand-in (the same application as ConnectorCredentialsTest). */
@QuarkusTest
@WithTestResource(IdentityStandIn.Resource.class)
class ConnectorEndpointsTest extends ServiceEndpointsContract {

    @Inject
    StateDirectory stateDirectory;

    /** The connector dials out; its one contract is local status, on its loopback port. */
    @Override
    protected List<String> contracts() {
        return List.of("zerogate.connector.v1.ConnectorStatusService");
    }

    @Test
    void localStatusReportsVersionLabelsAndStateDirectory() {
        GetStatusResponse status = ConnectorStatusServiceGrpc.newBlockingStub(probe.channel())
                .getStatus(GetStatusRequest.getDefaultInstance());
        assertEquals("0.1.0-SNAPSHOT", status.getVersion());
        assertEquals(Map.of("site", "test-lab"), status.getLabelsMap());
        assertEquals(stateDirectory.path().toString(), status.getStateDir());
        assertTrue(status.getStateDirOk());
        assertTrue(status.getStartedAt().getSeconds() > 0);
    }

    @Test
    void nettysPoolIsConfiguredWithChunksLargerThanAFlowsReads() {
        // Quarkus's default max order (3) makes 64 KiB chunks: every read of 64 KiB or more
        // (flows read up to 256 KiB) would bypass the pool as a fresh, zeroed allocation. The
        // packaged connector sets the property before Netty's allocator exists; in this test JVM
        // Netty may have started earlier, so the property is what can be checked here.
        long chunkBytes = NettyPoolSettings.chunkBytes();
        assertTrue(chunkBytes >= 1 << 20, "Netty's pool chunks would be " + chunkBytes + " bytes");
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

    @Test
    void localStatusExplainsAStateDirectoryProblem() throws Exception {
        var path = stateDirectory.path();
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxrwxrwx"));
        try {
            GetStatusResponse status = ConnectorStatusServiceGrpc.newBlockingStub(probe.channel())
                    .getStatus(GetStatusRequest.getDefaultInstance());
            assertEquals(false, status.getStateDirOk());
            assertEquals("permissions are not 0700", status.getStateDirProblem());
        } finally {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
