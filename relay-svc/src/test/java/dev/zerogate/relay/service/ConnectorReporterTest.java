package dev.zerogate.relay.service;

import dev.zerogate.proto.policy.v1.ConnectorReport;
import dev.zerogate.proto.relay.v1.ConnectorMessage;
import dev.zerogate.proto.relay.v1.Heartbeat;
import dev.zerogate.proto.relay.v1.Hello;
import dev.zerogate.proto.relay.v1.RelayControlServiceGrpc;
import dev.zerogate.proto.relay.v1.RelayMessage;
import dev.zerogate.relay.RelayIdentity;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.StreamRecorder;
import dev.zerogate.testkit.identity.TestGrants;
import dev.zerogate.testkit.identity.TestIdentity;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay reports its connectors to policy-svc ({@link TestGrants} records the reports) with
 * its service account's token ({@link TestIdentity}'s token endpoint), every second here.
 */
@QuarkusTest
@TestProfile(ConnectorReporterTest.Reporting.class)
class ConnectorReporterTest {

    /** The relay with a service-account key and a short report interval. */
    public static final class Reporting implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("zerogate.relay.identity.client-id", TestIdentity.CLIENT_ID,
                    "zerogate.relay.identity.client-secret", TestIdentity.CLIENT_SECRET,
                    "zerogate.relay.report-interval", "1s");
        }
    }

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Inject
    RelayIdentity identity;

    private GrpcProbe grpc;
    private StreamObserver<ConnectorMessage> toRelay;
    private final String networkId = UUID.randomUUID().toString();
    private final String connectorId = UUID.randomUUID().toString();

    @BeforeEach
    void connect() {
        grpc = GrpcProbe.connect(port);
        TestGrants.instance().reports().clear();
    }

    @AfterEach
    void close() throws Exception {
        if (toRelay != null) {
            toRelay.onCompleted();
        }
        grpc.close();
    }

    /** Registers a connector with labels; returns once the relay welcomed it. */
    private void register(Map<String, String> labels) throws Exception {
        StreamRecorder<RelayMessage> fromRelay = new StreamRecorder<>(message -> message);
        toRelay = GrpcProbe.withBearer(RelayControlServiceGrpc.newStub(grpc.channel()),
                TestIdentity.instance().token(TestIdentity.Claims.connector(connectorId).withNetwork(networkId))).connect(fromRelay);
        toRelay.onNext(ConnectorMessage.newBuilder().setHello(Hello.newBuilder().setConnectorId(connectorId)
                .setRemoteNetworkId(networkId).setVersion("0.3.1").putAllLabels(labels).addSupportedProtocolVersions(1)).build());
        RelayMessage welcome = assertInstanceOf(RelayMessage.class, fromRelay.received().poll(10, TimeUnit.SECONDS));
        assertTrue(welcome.hasWelcome(), welcome.toString());
    }

    /** The first report (from now) that {@code wanted} accepts; fails after {@code timeout}. */
    private static TestGrants.Report awaitReport(Predicate<TestGrants.Report> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            TestGrants.Report report = TestGrants.instance().reports().poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (report != null && wanted.test(report)) {
                return report;
            }
        }
        throw new AssertionError("no such report within " + timeout);
    }

    private Optional<ConnectorReport> mine(TestGrants.Report report) {
        return report.request().getConnectorsList().stream().filter(c -> c.getConnectorId().equals(connectorId)).findFirst();
    }

    @Test
    void reportsARegisteredConnectorWithItsHelloAndHeartbeatsThenItsRemoval() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        register(Map.of("host", "pi4", "k".repeat(64), "a key policy-svc would refuse"));

        TestGrants.Report report = awaitReport(r -> mine(r).isPresent(), Duration.ofSeconds(5));
        assertEquals(UUID.nameUUIDFromBytes("zerogate-relay:relay-under-test".getBytes(StandardCharsets.UTF_8)).toString(),
                report.request().getRelayId(), "a UUID, the same at every start, derived from the relay's name");
        assertEquals(identity.uuid(), report.request().getRelayId());
        assertEquals(30, report.request().getOfflineAfter().getSeconds(), "three heartbeat intervals, as in Welcome");
        ConnectorReport connector = mine(report).orElseThrow();
        assertEquals("0.3.1", connector.getVersion());
        assertEquals(Map.of("host", "pi4"), connector.getLabelsMap(), "a label policy-svc would refuse is left out");
        assertTrue(connector.getLastHeartbeatAt().getSeconds() >= before.getEpochSecond(), connector.toString());
        assertEquals(0, connector.getActiveFlowCount());

        // The relay's service account's token: a bearer token whose subject is the account.
        assertTrue(report.authorization().startsWith("Bearer "), "no bearer token");
        String payload = new String(Base64.getUrlDecoder().decode(report.authorization().substring(7).split("\\.")[1]), StandardCharsets.UTF_8);
        assertTrue(payload.contains("\"sub\":\"" + TestIdentity.SERVICE_ACCOUNT_ID + "\""), payload);

        toRelay.onNext(ConnectorMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSequence(1).setActiveFlowCount(3)).build());
        assertNotNull(awaitReport(r -> mine(r).map(c -> c.getActiveFlowCount() == 3).orElse(false), Duration.ofSeconds(5)));

        toRelay.onCompleted();
        toRelay = null;
        awaitReport(r -> mine(r).isEmpty(), Duration.ofSeconds(5));
    }

    @Test
    void keepsReportingEveryIntervalAndSignsInAgainAfterBeingRefused() throws Exception {
        register(Map.of());
        int signIns = TestIdentity.instance().tokenRequests();
        TestGrants.instance().failNextReports(Status.UNAVAILABLE, Status.UNAUTHENTICATED);
        long started = System.nanoTime();
        for (int i = 0; i < 4; i++) {
            TestGrants.Report report = awaitReport(r -> true, Duration.ofSeconds(3));
            assertTrue(mine(report).isPresent(), "every report names the connector: " + report.request());
        }
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) < 6_000, "one report a second (or on changes)");
        assertTrue(TestIdentity.instance().tokenRequests() > signIns, "after UNAUTHENTICATED the relay signs in again");
    }
}
