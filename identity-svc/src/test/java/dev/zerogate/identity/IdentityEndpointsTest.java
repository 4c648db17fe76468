package dev.zerogate.identity;

import dev.zerogate.testkit.ServiceEndpointsContract;
import io.quarkus.test.junit.QuarkusTest;

import java.util.List;


@QuarkusTest
@IdentityDatabase
class IdentityEndpointsTest extends ServiceEndpointsContract {

    @Override
    protected List<String> contracts() {
        return List.of(
                "zerogate.identity.v1.AuthService", "zerogate.identity.v1.AccountService",
                "zerogate.identity.v1.EnrollmentService",
                "zerogate.identity.v1.IdentityAdminService", "zerogate.identity.v1.IdentityEventsService");
    }
}
