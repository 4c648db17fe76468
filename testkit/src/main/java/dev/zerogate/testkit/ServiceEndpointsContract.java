package dev.zerogate.testkit;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every zerogate service answers on its one port, checked from outside: gRPC health and
 * reflection over a real channel, HTTP liveness, readiness and Prometheus metrics. A service's
 * test extends this, is annotated {@code @QuarkusTest} and names the contracts it serves.
 */
public abstract class ServiceEndpointsContract {

    /** Fully qualified gRPC service names this service must register. */
    protected abstract List<String> contracts();

    protected GrpcProbe probe;

    @BeforeEach
    void connect() {
        probe = GrpcProbe.connect(ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class));
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        probe.close();
    }

    @Test
    void grpcHealthReportsServerAndEveryContractServing() {
        assertEquals(ServingStatus.SERVING, probe.health(""));
        for (String contract : contracts()) {
            assertEquals(ServingStatus.SERVING, probe.health(contract), contract);
        }
    }

    @Test
    void grpcReflectionListsEveryContractAndHealth() throws Exception {
        List<String> listed = probe.listServices();
        assertTrue(listed.containsAll(contracts()), "listed: " + listed);
        assertTrue(listed.contains("grpc.health.v1.Health"), "listed: " + listed);
    }

    @Test
    void httpLivenessAndReadinessAreUp() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metricsAreServedInPrometheusFormat() {
        given().when().get("/q/metrics")
                .then().statusCode(200)
                .body(containsString("# TYPE jvm_memory_used_bytes gauge"));
    }
}
