package dev.zerogate.relay.data;

import com.google.protobuf.ByteString;
import dev.zerogate.proto.relay.v1.ConnectorMessage;
import dev.zerogate.proto.relay.v1.FlowRejectReason;
import dev.zerogate.proto.relay.v1.FlowRejected;
import dev.zerogate.proto.relay.v1.FlowRequest;
import dev.zerogate.proto.relay.v1.Hello;
import dev.zerogate.proto.relay.v1.RelayControlServiceGrpc;
import dev.zerogate.proto.relay.v1.RelayMessage;
import dev.zerogate.proto.tunnel.v1.RelayAnswer;
import dev.zerogate.proto.tunnel.v1.RelayAnswerCode;
import dev.zerogate.relay.RelayKeys;
import dev.zerogate.relay.service.RelayMetrics;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.NettyPoolSettings;
import dev.zerogate.testkit.StreamRecorder;
import dev.zerogate.testkit.identity.TestGrants;
import dev.zerogate.testkit.identity.TestIdentity;
import dev.zerogate.tunnel.RelayKey;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay's public port with real sockets: the front door, client admission, connector
 * registration over gRPC, rendezvous and the splice. The test plays both client and
 * connector; grants come from {@link TestGrants}, connector tokens from {@link TestIdentity}.
 */
@QuarkusTest
@QuarkusTestResource(TestIdentity.Resource.class)
@QuarkusTestResource(TestGrants.Resource.class)
class PublicPortTest {

    private static final int PUBLIC_PORT = 18113;
    private static final int HTTP_PORT = 18103;

    @Inject
    RelayKeys keys;

    @Inject
    RelayMetrics metrics;

    private GrpcProbe grpc;
    private final String networkId = UUID.randomUUID().toString();
    private final String connectorId = UUID.randomUUID().toString();
    private final StreamRecorder<RelayMessage> fromRelay = new StreamRecorder<>(message -> message);
    private StreamObserver<ConnectorMessage> toRelay;

    @BeforeEach
    void connect() {
        grpc = GrpcProbe.connect(PUBLIC_PORT); // gRPC through the public port's front door
    }

    @AfterEach
    void close() throws Exception {
        if (toRelay != null) {
            toRelay.onCompleted();
        }
        grpc.close();
    }

    private RelayKey relayKey() {
        return RelayKey.fromPublic(keys.key().publicText());
    }

    /** Registers this test as a connector of {@code networkId}; returns the first message (Welcome). */
    private RelayMessage registerConnector(String token, String helloNetwork) throws Exception {
        RelayControlServiceGrpc.RelayControlServiceStub stub = RelayControlServiceGrpc.newStub(grpc.channel());
        if (token != null) {
            stub = GrpcProbe.withBearer(stub, token);
        }
        toRelay = stub.connect(fromRelay);
        toRelay.onNext(ConnectorMessage.newBuilder().setHello(Hello.newBuilder().setConnectorId(connectorId)
                .setRemoteNetworkId(helloNetwork).setVersion("0.1.0").addSupportedProtocolVersions(1)).build());
        Object first = fromRelay.received().poll(10, TimeUnit.SECONDS);
        assertNotNull(first, "the relay answered nothing");
        if (first instanceof Throwable failure) {
            throw (Exception) failure;
        }
        return (RelayMessage) first;
    }

    private String connectorToken() {
        return TestIdentity.instance().token(TestIdentity.Claims.connector(connectorId).withNetwork(networkId));
    }

    private TestGrants.Grant grantFor(KeyPair device) {
        return new TestGrants.Grant(UUID.randomUUID().toString(), networkId, UUID.randomUUID().toString(),
                "pihole.lan", 80, UUID.randomUUID().toString(), RelayPeer.thumbprint(device), Instant.now().plusSeconds(240));
    }

    @Test
    void httpAndGrpcReachTheRelayThroughThePublicPort() throws Exception {
        HttpURLConnection http = (HttpURLConnection) URI.create("http://127.0.0.1:" + PUBLIC_PORT + "/q/health/live").toURL().openConnection();
        assertEquals(200, http.getResponseCode());
        try (InputStream body = http.getInputStream()) {
            assertTrue(new String(body.readAllBytes()).contains("relay-under-test"));
        }
        assertTrue(grpc.listServices().contains("zerogate.relay.v1.RelayControlService"));
    }

    @Test
    void clientsLearnThePreambleKeyFromTheRelayInfo() throws Exception {
        HttpURLConnection http = (HttpURLConnection) URI.create("http://127.0.0.1:" + PUBLIC_PORT + "/api/v1/relay").toURL().openConnection();
        assertEquals(200, http.getResponseCode());
        try (InputStream body = http.getInputStream()) {
            String json = new String(body.readAllBytes());
            assertTrue(json.contains("\"preamble_key\":\"" + keys.key().publicText() + "\""), json);
            assertTrue(json.contains("\"preamble_key_id\":\"" + keys.key().keyIdText() + "\""), json);
        }
    }

    @Test
    void aConnectorRegistersWithItsTokenAndLearnsThePreambleKey() throws Exception {
        RelayMessage welcome = registerConnector(connectorToken(), networkId);
        assertTrue(welcome.hasWelcome(), welcome.toString());
        assertEquals(1, welcome.getWelcome().getNegotiatedProtocolVersion());
        assertArrayEquals(java.util.Base64.getUrlDecoder().decode(keys.key().publicText()),
                welcome.getWelcome().getPreambleKey().toByteArray());
    }

    @Test
    void aConnectorWithoutTokenOrForAnotherNetworkIsRefused() throws Exception {
        StatusRuntimeException missing = assertInstanceOf(StatusRuntimeException.class,
                assertThrowsAny(() -> registerConnector(null, networkId)));
        assertEquals(Status.Code.UNAUTHENTICATED, missing.getStatus().getCode());

        StatusRuntimeException otherNetwork = assertInstanceOf(StatusRuntimeException.class,
                assertThrowsAny(() -> registerConnector(connectorToken(), UUID.randomUUID().toString())));
        assertEquals(Status.Code.PERMISSION_DENIED, otherNetwork.getStatus().getCode());
    }

    private interface Step {
        Object run() throws Exception;
    }

    private static Exception assertThrowsAny(Step step) {
        try {
            step.run();
        } catch (Exception e) {
            return e;
        }
        throw new AssertionError("expected a failure");
    }

    @Test
    void nettysPoolIsConfiguredWithChunksLargerThanAReadOfSplicedBytes() {
        // Quarkus's default max order (3) makes 64 KiB chunks, and every read of 64 KiB (Netty's
        // usual size on a busy connection) then bypassed the pool: a zeroed allocation per read.
        // The packaged relay sets the property before Netty's allocator exists; in this test JVM
        // Netty may have started earlier, so the property is what can be checked here.
        long chunkBytes = NettyPoolSettings.chunkBytes();
        assertTrue(chunkBytes >= 1 << 20, "Netty's pool chunks would be " + chunkBytes + " bytes");
    }

    @Test
    void aClientIsPairedWithAConnectorOfItsNetworkAndBytesAreSplicedBothWays() throws Exception {
        registerConnector(connectorToken(), networkId);
        KeyPair device = RelayPeer.deviceKey();
        try (RelayPeer client = new RelayPeer(PUBLIC_PORT)) {
            client.sendClientJoin(relayKey(), TestGrants.instance().sign(grantFor(device)), device, Instant.now());
            Object message = fromRelay.received().poll(10, TimeUnit.SECONDS);
            FlowRequest request = assertInstanceOf(RelayMessage.class, message).getFlowRequest();
            assertTrue(request.getRendezvousToken().size() >= 16);
            assertTrue(request.getRendezvousExpiresAt().getSeconds() > Instant.now().getEpochSecond() - 1);

            try (RelayPeer connector = new RelayPeer(PUBLIC_PORT)) {
                connector.sendConnectorJoin(relayKey(), request.getRendezvousToken());
                RelayAnswer toConnector = connector.answer();
                RelayAnswer toClient = client.answer();
                assertEquals(RelayAnswerCode.RELAY_ANSWER_CODE_OK, toConnector.getCode());
                assertEquals(RelayAnswerCode.RELAY_ANSWER_CODE_OK, toClient.getCode());
                assertEquals(connectorId, toClient.getConnectorId());
                assertEquals(request.getFlowId(), toClient.getSessionId());

                byte[] upstream = new byte[1 << 20];
                new Random(3).nextBytes(upstream);
                Thread writer = new Thread(() -> {
                    try {
                        client.socket.getOutputStream().write(upstream);
                        client.socket.shutdownOutput();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                writer.start();
                byte[] received = connector.in.readNBytes(upstream.length);
                writer.join();
                assertArrayEquals(upstream, received);

                byte[] downstream = "hello from the private side".getBytes();
                connector.socket.getOutputStream().write(downstream);
                connector.socket.shutdownOutput();
                ByteArrayOutputStream back = new ByteArrayOutputStream();
                client.in.transferTo(back);
                assertArrayEquals(downstream, back.toByteArray());
            }

            // The token was single use.
            try (RelayPeer late = new RelayPeer(PUBLIC_PORT)) {
                late.sendConnectorJoin(relayKey(), request.getRendezvousToken());
                assertEquals(RelayAnswerCode.RELAY_ANSWER_CODE_RENDEZVOUS_UNKNOWN, late.answer().getCode());
            }
        }
    }

    @Test
    void clientsWithBadCredentialsGetAReasonAndNoConnectorHearsOfThem() throws Exception {
        registerConnector(connectorToken(), networkId);
        KeyPair device = RelayPeer.deviceKey();
        KeyPair otherDevice = RelayPeer.deviceKey();

        RelayAnswer expired = joinAndAnswer(TestGrants.instance().sign(grantFor(device).withExpiry(Instant.now().minusSeconds(120))),
                device, Instant.now());
        assertEquals(RelayAnswerCode.RELAY_ANSWER_CODE_UNAUTHENTICATED, expired.getCode());
        assertTrue(expired.getMessage().contains("expired"), expired.getMessage());

        RelayAnswer stolen = joinAndAnswer(TestGrants.instance().sign(grantFor(device)), otherDevice, Instant.now());
        assertEquals(RelayAnswerCode.RELAY_ANSWER_CODE_UNAUTHENTICATED, stolen.getCode());
        assertTrue(stolen.getMessage().contains("another device key"), stolen.getMessage());

        RelayAnswer stale = joinAndAnswer(TestGrants.instance().sign(grantFor(device)), device, Instant.now().minusSeconds(600));
        assertEquals(RelayAnswerCode.RELAY_ANSWER_CODE_UNAUTHENTICATED, stale.getCode());

        RelayAnswer forged = joinAndAnswer(TestGrants.instance().sign(grantFor(device)).replaceFirst("\\.[^.]+$", ".AAAA"),
                device, Instant.now());
        assertEquals(RelayAnswerCode.RELAY_ANSWER_CODE_UNAUTHENTICATED, forged.getCode());

        assertEquals(null, fromRelay.received().poll(300, TimeUnit.MILLISECONDS), "no FlowRequest for refused clients");
    }

    private RelayAnswer joinAndAnswer(String grant, KeyPair device, Instant sentAt) throws Exception {
        try (RelayPeer client = new RelayPeer(PUBLIC_PORT)) {
            return client.sendClientJoin(relayKey(), grant, device, sentAt).answer();
        }
    }

    @Test
    void aReplayedPreambleIsRefused() throws Exception {
        registerConnector(connectorToken(), networkId);
        KeyPair device = RelayPeer.deviceKey();
        byte[] original;
        try (RelayPeer client = new RelayPeer(PUBLIC_PORT)) {
            client.sendClientJoin(relayKey(), TestGrants.instance().sign(grantFor(device)), device, Instant.now());
            original = client.sentPreamble;
            assertInstanceOf(RelayMessage.class, fromRelay.received().poll(10, TimeUnit.SECONDS));
        }
        double before = metrics.refusedCount("preamble_replayed");
        try (RelayPeer replay = new RelayPeer(PUBLIC_PORT)) {
            replay.sendRaw(original);
            // The replayer cannot open the answer (it lacks the sealing context); it sees the close.
            replay.in.readNBytes(2 + 1024);
        }
        assertEquals(before + 1, metrics.refusedCount("preamble_replayed"));
        assertEquals(null, fromRelay.received().poll(300, TimeUnit.MILLISECONDS));
    }

    @Test
    void aClientOfANetworkWithoutConnectorHereIsToldSo() throws Exception {
        KeyPair device = RelayPeer.deviceKey();
        RelayAnswer answer = joinAndAnswer(TestGrants.instance().sign(grantFor(device)), device, Instant.now());
        assertEquals(RelayAnswerCode.RELAY_ANSWER_CODE_NO_CONNECTOR, answer.getCode());
    }

    @Test
    void aConnectorRefusalReachesTheClientWithItsReason() throws Exception {
        registerConnector(connectorToken(), networkId);
        KeyPair device = RelayPeer.deviceKey();
        try (RelayPeer client = new RelayPeer(PUBLIC_PORT)) {
            client.sendClientJoin(relayKey(), TestGrants.instance().sign(grantFor(device)), device, Instant.now());
            FlowRequest request = ((RelayMessage) fromRelay.received().poll(10, TimeUnit.SECONDS)).getFlowRequest();
            toRelay.onNext(ConnectorMessage.newBuilder().setFlowRejected(FlowRejected.newBuilder()
                    .setFlowId(request.getFlowId()).setReason(FlowRejectReason.FLOW_REJECT_REASON_DRAINING)
                    .setMessage("shutting down")).build());
            RelayAnswer answer = client.answer();
            assertEquals(RelayAnswerCode.RELAY_ANSWER_CODE_CONNECTOR_REFUSED, answer.getCode());
            assertTrue(answer.getMessage().contains("draining: shutting down"), answer.getMessage());
        }
    }

    @Test
    void malformedPreamblesAreDroppedWithoutAnAnswerAndCounted() throws Exception {
        double before = metrics.refusedCount("preamble_invalid");
        byte[] garbage = new byte[200];
        new Random(9).nextBytes(garbage);
        System.arraycopy(new byte[]{0x5A, 0x47, 0x52, 0x31}, 0, garbage, 0, 4);
        try (RelayPeer peer = new RelayPeer(PUBLIC_PORT)) {
            peer.sendRaw(garbage);
            assertTrue(peer.closedSilently());
        }
        // A header announcing a body above the limit: refused from the header alone.
        byte[] oversized = Arrays.copyOf(new byte[]{0x5A, 0x47, 0x52, 0x31}, 46);
        oversized[44] = (byte) 0xFF;
        oversized[45] = (byte) 0xFF;
        try (RelayPeer peer = new RelayPeer(PUBLIC_PORT)) {
            peer.sendRaw(oversized);
            assertTrue(peer.closedSilently());
        }
        assertEquals(before + 2, metrics.refusedCount("preamble_invalid"));
    }

    @Test
    void aPreambleSealedToAnotherKeyIsAnsweredWithTheRelaysKeyIdAndClosed() throws Exception {
        double before = metrics.refusedCount("key_unknown");
        KeyPair device = RelayPeer.deviceKey();
        try (RelayPeer client = new RelayPeer(PUBLIC_PORT)) {
            client.sendClientJoin(RelayKey.generate(), TestGrants.instance().sign(grantFor(device)), device, Instant.now());
            assertEquals(0, client.in.readUnsignedShort(), "answer length 0: key unknown");
            byte[] keyId = new byte[8];
            client.in.readFully(keyId);
            assertArrayEquals(keys.key().keyId(), keyId);
            assertTrue(client.closedSilently(), "nothing follows and the relay closes");
        }
        assertEquals(before + 1, metrics.refusedCount("key_unknown"));
    }

    @Test
    void aPeerThatNeverFinishesItsPreambleIsCutOff() throws Exception {
        double before = metrics.refusedCount("handshake_timeout");
        try (RelayPeer slow = new RelayPeer(PUBLIC_PORT)) {
            slow.sendRaw(new byte[]{0x5A, 0x47, 0x52, 0x31, 0, 0});
            long started = System.nanoTime();
            assertTrue(slow.closedSilently());
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(8), "cut off at the handshake timeout");
        }
        assertEquals(before + 1, metrics.refusedCount("handshake_timeout"));
    }
}
