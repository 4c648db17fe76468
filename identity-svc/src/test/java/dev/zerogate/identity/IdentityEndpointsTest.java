package dev.zerogate.identity;

import dev.zerogate.proto.identity.v1.AuthServiceGrpc;
import dev.zerogate.proto.identity.v1.StartDeviceAuthorizationRequest;
import dev.zerogate.testkit.ServiceEndpointsContract;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@QuarkusTest
@IdentityDatabase
class IdentityEndpointsTest extends ServiceEndpointsContract {

    @Override
    protected List<String> contracts() {
        return List.of(
                "zerogate.identity.v1.AuthService", "zerogate.identity.v1.AccountService",
                "zerogate.identity.v1.EnrollmentService",
                "zerogate.identity.v1.IdentityAdminService");
    }

    /** Until the identity issue builds it, an rpc says so instead of pretending. */
    @Test
    void unbuiltRpcAnswersUnimplemented() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> AuthServiceGrpc.newBlockingStub(probe.channel()).startDeviceAuthorization(StartDeviceAuthorizationRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
    }
}
