package dev.zerogate.relay;

import dev.zerogate.testkit.ServiceEndpointsContract;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
class RelayEndpointsTest extends ServiceEndpointsContract {

    @Override
    protected List<String> contracts() {
        return List.of("zerogate.relay.v1.RelayControlService");
    }

    @Test
    void livenessNamesTheConfiguredRelay() {
        given().when().get("/q/health/live")
                .then().statusCode(200)
                .body("checks.find { it.name == 'relay' }.data.'relay-id'", equalTo("relay-under-test"));
    }
}
