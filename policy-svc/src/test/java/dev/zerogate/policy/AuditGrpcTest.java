package dev.zerogate.policy;

import dev.zerogate.policy.service.AuditLog;
import dev.zerogate.proto.policy.v1.AuditEvent;
import dev.zerogate.proto.policy.v1.AuditOutcome;
import dev.zerogate.proto.policy.v1.AuditServiceGrpc;
import dev.zerogate.proto.policy.v1.AuthorizationServiceGrpc;
import dev.zerogate.proto.policy.v1.AuthorizeRequest;
import dev.zerogate.proto.policy.v1.CreateRemoteNetworkRequest;
import dev.zerogate.proto.policy.v1.ExportAuditRequest;
import dev.zerogate.proto.policy.v1.PolicyAdminServiceGrpc;
import dev.zerogate.proto.policy.v1.Protocol;
import dev.zerogate.proto.policy.v1.QueryAuditRequest;
import dev.zerogate.proto.policy.v1.QueryAuditResponse;
import dev.zerogate.proto.policy.v1.RemoteNetwork;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.identity.TestIdentity;
import dev.zerogate.testkit.identity.TestIdentity.Claims;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AuditService over gRPC: decisions and admin changes are queryable by subject, action and outcome, paged and exported. */
@QuarkusTest
@PolicyDatabase
class AuditGrpcTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Inject
    AuditLog audit;

    GrpcProbe probe;
    AuditServiceGrpc.AuditServiceBlockingStub auditor;

    @BeforeEach
    void connect() {
        probe = GrpcProbe.connect(port);
        auditor = GrpcProbe.withBearer(AuditServiceGrpc.newBlockingStub(probe.channel()),
                TestIdentity.instance().token(Claims.user(UUID.randomUUID().toString(), "auditors")));
    }

    @AfterEach
    void close() throws InterruptedException {
        probe.close();
    }

    @Test
    void decisionsAndChangesAreFoundBySubjectAndPagedNewestFirst() {
        String adminId = UUID.randomUUID().toString();
        var admin = GrpcProbe.withBearer(PolicyAdminServiceGrpc.newBlockingStub(probe.channel()),
                TestIdentity.instance().token(Claims.user(adminId, "admins")));
        for (int i = 0; i < 3; i++) {
            admin.createRemoteNetwork(CreateRemoteNetworkRequest.newBuilder().setRemoteNetwork(RemoteNetwork.newBuilder()
                    .setName("audit-" + UUID.randomUUID().toString().substring(0, 8))).build());
        }
        String caller = UUID.randomUUID().toString();
        String device = UUID.randomUUID().toString();
        var decisions = GrpcProbe.withBearer(AuthorizationServiceGrpc.newBlockingStub(probe.channel()),
                TestIdentity.instance().token(Claims.user(caller).withDevice(device, "t")));
        String decisionId = decisions.authorize(AuthorizeRequest.newBuilder().setDeviceId(device).setDestination("nowhere.lan")
                .setPort(22).setProtocol(Protocol.PROTOCOL_TCP).build()).getDecisionId();
        audit.flush().await().indefinitely();

        QueryAuditResponse denied = auditor.queryAudit(QueryAuditRequest.newBuilder().setSubjectId(caller)
                .setOutcome(AuditOutcome.AUDIT_OUTCOME_DENY).build());
        assertEquals(1, denied.getEventsCount());
        AuditEvent decision = denied.getEvents(0);
        assertEquals(decisionId, decision.getId());
        assertEquals("policy.authorize", decision.getAction());
        assertEquals(device, decision.getDeviceId());
        assertEquals("nowhere.lan", decision.getDetails().getFieldsOrThrow("destination").getStringValue());
        assertEquals("DENY_REASON_NO_MATCHING_RESOURCE", decision.getDetails().getFieldsOrThrow("deny_reason").getStringValue());

        QueryAuditResponse first = auditor.queryAudit(QueryAuditRequest.newBuilder().setSubjectId(adminId).setPageSize(2).build());
        assertEquals(2, first.getEventsCount());
        assertTrue(first.getEvents(0).getSequence() > first.getEvents(1).getSequence(), "newest first");
        QueryAuditResponse second = auditor.queryAudit(QueryAuditRequest.newBuilder().setSubjectId(adminId).setPageSize(2)
                .setPageToken(first.getNextPageToken()).build());
        assertEquals(1, second.getEventsCount());
        assertEquals("", second.getNextPageToken());
        assertTrue(second.getEvents(0).getDetails().containsFields("after"), "admin changes carry the entity after the change");
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class, () -> auditor.queryAudit(
                QueryAuditRequest.newBuilder().setSubjectId(caller).setPageToken(first.getNextPageToken()).build()))
                .getStatus().getCode(), "a page token is bound to its filters");

        List<AuditEvent> exported = new ArrayList<>();
        auditor.exportAudit(ExportAuditRequest.newBuilder().setSubjectId(adminId).build())
                .forEachRemaining(batch -> exported.addAll(batch.getEventsList()));
        assertEquals(3, exported.size());
        assertTrue(exported.get(0).getSequence() < exported.get(2).getSequence(), "oldest first");
        List<AuditEvent> resumed = new ArrayList<>();
        auditor.exportAudit(ExportAuditRequest.newBuilder().setSubjectId(adminId).setAfterSequence(exported.get(0).getSequence()).build())
                .forEachRemaining(batch -> resumed.addAll(batch.getEventsList()));
        assertEquals(exported.subList(1, 3), resumed, "an export resumes after a sequence");
    }

    @Test
    void onlyAdminsAndAuditorsReadTheLog() {
        var member = GrpcProbe.withBearer(AuditServiceGrpc.newBlockingStub(probe.channel()),
                TestIdentity.instance().token(Claims.user(UUID.randomUUID().toString(), "family")));
        assertEquals(Status.Code.PERMISSION_DENIED, assertThrows(StatusRuntimeException.class,
                () -> member.queryAudit(QueryAuditRequest.getDefaultInstance())).getStatus().getCode());
        assertEquals(Status.Code.PERMISSION_DENIED, assertThrows(StatusRuntimeException.class,
                () -> member.exportAudit(ExportAuditRequest.getDefaultInstance()).hasNext()).getStatus().getCode());
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class, () -> auditor.queryAudit(
                QueryAuditRequest.newBuilder().setAction("DROP TABLE").build())).getStatus().getCode());
    }
}
