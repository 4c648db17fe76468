package dev.zerogate.policy;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import dev.zerogate.proto.policy.v1.Connector;
import dev.zerogate.proto.policy.v1.ConnectorReport;
import dev.zerogate.proto.policy.v1.ConnectorStateServiceGrpc;
import dev.zerogate.proto.policy.v1.CreateConnectorRequest;
import dev.zerogate.proto.policy.v1.CreateRemoteNetworkRequest;
import dev.zerogate.proto.policy.v1.GetConnectorRequest;
import dev.zerogate.proto.policy.v1.GetRemoteNetworkRequest;
import dev.zerogate.proto.policy.v1.ListConnectorsRequest;
import dev.zerogate.proto.policy.v1.PolicyAdminServiceGrpc;
import dev.zerogate.proto.policy.v1.RemoteNetwork;
import dev.zerogate.proto.policy.v1.ReportConnectorsRequest;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.identity.TestIdentity;
import dev.zerogate.testkit.identity.TestIdentity.Claims;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ConnectorStateService: relays report the connectors they hold; admins see them online, with version and labels. */
@QuarkusTest
@PolicyDatabase
class ConnectorStateTest {

    /** The relay service account configured for tests in application.properties. */
    static final String RELAY_ACCOUNT = "0f0f0f0f-0000-4000-8000-00000000a11a";

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    GrpcProbe probe;
    PolicyAdminServiceGrpc.PolicyAdminServiceBlockingStub admin;
    ConnectorStateServiceGrpc.ConnectorStateServiceBlockingStub relay;

    @BeforeEach
    void connect() {
        probe = GrpcProbe.connect(port);
        admin = GrpcProbe.withBearer(PolicyAdminServiceGrpc.newBlockingStub(probe.channel()),
                TestIdentity.instance().token(Claims.user(UUID.randomUUID().toString(), "admins")));
        relay = GrpcProbe.withBearer(ConnectorStateServiceGrpc.newBlockingStub(probe.channel()),
                TestIdentity.instance().token(Claims.serviceAccount(RELAY_ACCOUNT)));
    }

    @AfterEach
    void close() throws InterruptedException {
        probe.close();
    }

    static ReportConnectorsRequest report(String relayId, String connectorId, long heartbeatMillisAgo) {
        return ReportConnectorsRequest.newBuilder().setRelayId(relayId).setOfflineAfter(Durations.fromSeconds(30))
                .addConnectors(ConnectorReport.newBuilder().setConnectorId(connectorId).setVersion("0.3.1").putLabels("host", "pi4")
                        .setActiveFlowCount(2).setLastHeartbeatAt(Timestamps.fromMillis(System.currentTimeMillis() - heartbeatMillisAgo)))
                .build();
    }

    @Test
    void aConnectorIsOnlineWhileARelayHeardItAndOfflineAfter() {
        RemoteNetwork home = admin.createRemoteNetwork(CreateRemoteNetworkRequest.newBuilder().setRemoteNetwork(RemoteNetwork.newBuilder()
                .setName("live-" + UUID.randomUUID().toString().substring(0, 8))).build()).getRemoteNetwork();
        Connector pi = admin.createConnector(CreateConnectorRequest.newBuilder().setConnector(Connector.newBuilder()
                .setRemoteNetworkId(home.getId())).build()).getConnector();
        assertFalse(pi.getLive().getOnline(), "never reported: offline");
        String relayId = UUID.randomUUID().toString();

        relay.reportConnectors(report(relayId, pi.getId(), 1_000));
        Connector live = admin.getConnector(GetConnectorRequest.newBuilder().setId(pi.getId()).build()).getConnector();
        assertTrue(live.getLive().getOnline());
        assertEquals("0.3.1", live.getLive().getVersion());
        assertEquals("pi4", live.getLive().getLabelsOrThrow("host"));
        assertEquals(List.of(relayId), live.getLive().getRelayIdsList());
        assertEquals(2, live.getLive().getActiveFlowCount());
        assertEquals(1, admin.getRemoteNetwork(GetRemoteNetworkRequest.newBuilder().setId(home.getId()).build())
                .getRemoteNetwork().getOnlineConnectorCount());
        assertTrue(admin.listConnectors(ListConnectorsRequest.newBuilder().setRemoteNetworkId(home.getId()).build())
                .getConnectors(0).getLive().getOnline(), "lists show the live state too");

        relay.reportConnectors(report(relayId, pi.getId(), 60_000));
        Connector silent = admin.getConnector(GetConnectorRequest.newBuilder().setId(pi.getId()).build()).getConnector();
        assertFalse(silent.getLive().getOnline(), "no heartbeat within offline_after: offline");
        assertTrue(silent.getLive().hasLastHeartbeatAt(), "the last heartbeat is still shown");

        relay.reportConnectors(ReportConnectorsRequest.newBuilder().setRelayId(relayId).setOfflineAfter(Durations.fromSeconds(30)).build());
        assertFalse(admin.getConnector(GetConnectorRequest.newBuilder().setId(pi.getId()).build()).getConnector().getLive()
                .hasLastHeartbeatAt(), "a relay's report replaces its previous one");
    }

    @Test
    void onlyRelaysReportAndBadReportsAreRefused() {
        var someone = GrpcProbe.withBearer(ConnectorStateServiceGrpc.newBlockingStub(probe.channel()),
                TestIdentity.instance().token(Claims.serviceAccount(UUID.randomUUID().toString())));
        String relayId = UUID.randomUUID().toString();
        assertEquals(Status.Code.PERMISSION_DENIED, assertThrows(StatusRuntimeException.class,
                () -> someone.reportConnectors(report(relayId, UUID.randomUUID().toString(), 0))).getStatus().getCode());
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class,
                () -> relay.reportConnectors(report(relayId, UUID.randomUUID().toString(), 0).toBuilder()
                        .setOfflineAfter(Durations.fromHours(2)).build())).getStatus().getCode());
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class,
                () -> relay.reportConnectors(report("relay-1", UUID.randomUUID().toString(), 0))).getStatus().getCode());
    }
}
