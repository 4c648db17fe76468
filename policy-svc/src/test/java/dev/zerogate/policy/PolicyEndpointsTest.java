package dev.zerogate.policy;

import dev.zerogate.proto.policy.v1.AuthorizationServiceGrpc;
import dev.zerogate.proto.policy.v1.ListMyResourcesRequest;
import dev.zerogate.testkit.ServiceEndpointsContract;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@QuarkusTest
@PolicyDatabase
class PolicyEndpointsTest extends ServiceEndpointsContract {

    @Override
    protected List<String> contracts() {
        return List.of(
                "zerogate.policy.v1.PolicyAdminService",
                "zerogate.policy.v1.AuthorizationService",
                "zerogate.policy.v1.PolicyStreamService",
                "zerogate.policy.v1.AuditService",
                "zerogate.policy.v1.ConnectorStateService");
    }

    /** Every rpc but the public grant keys needs an access token. */
    @Test
    void rpcsRefuseCallersWithoutAToken() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> AuthorizationServiceGrpc.newBlockingStub(probe.channel())
                        .listMyResources(ListMyResourcesRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    }
}
