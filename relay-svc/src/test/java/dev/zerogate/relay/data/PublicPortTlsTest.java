package dev.zerogate.relay.data;

import dev.zerogate.proto.relay.v1.ConnectorMessage;
import dev.zerogate.proto.relay.v1.FlowRequest;
import dev.zerogate.proto.relay.v1.Hello;
import dev.zerogate.proto.relay.v1.RelayControlServiceGrpc;
import dev.zerogate.proto.relay.v1.RelayMessage;
import dev.zerogate.proto.tunnel.v1.ClientJoin;
import dev.zerogate.proto.tunnel.v1.RelayAnswerCode;
import dev.zerogate.proto.tunnel.v1.RelayPreamble;
import dev.zerogate.relay.RelayKeys;
import dev.zerogate.relay.service.RelayMetrics;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.StreamRecorder;
import dev.zerogate.testkit.identity.TestGrants;
import dev.zerogate.testkit.identity.TestIdentity;
import dev.zerogate.tunnel.RelayKey;
import dev.zerogate.tunnel.Session;
import dev.zerogate.tunnel.TunnelProtocol;
import dev.zerogate.tunnel.netty.RelayDialer;
import dev.zerogate.tunnel.netty.RelayTls;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import io.netty.channel.nio.NioEventLoopGroup;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The public port with a certificate, as certbot leaves one: TLS only, routing by ALPN (the
 * preamble for {@code zg-relay/1}, the HTTP/gRPC server for h2, http/1.1 or none), reload of
 * changed files without dropping spliced sessions or connector streams, the key-unknown answer
 * through the tunnel module's own {@link RelayDialer}, and PROXY headers honoured only from
 * trusted proxies (127.0.0.2 plays one). Certificates are made by the test ({@link TestPki}).
 */
@QuarkusTest
@TestProfile(PublicPortTlsTest.Tls.class)
@QuarkusTestResource(TestIdentity.Resource.class)
@QuarkusTestResource(TestGrants.Resource.class)
class PublicPortTlsTest {

    private static final int PUBLIC_PORT = 18113;
    /** Shared with the profile through files: one directory per test JVM. */
    private static final Path DIR = Path.of("target", "relay-tls-" + ProcessHandle.current().pid()).toAbsolutePath();
    private static final String PROXY_V1 = "PROXY TCP4 203.0.113.7 127.0.0.1 5555 " + PUBLIC_PORT + "\r\n";

    public static class Tls implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                TestPki pki = TestPki.loadOrCreate(DIR);
                if (!DIR.resolve("fullchain.pem").toFile().exists()) {
                    pki.write(pki.leaf("relay first"), DIR);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return Map.of("zerogate.relay.tls.cert", DIR.resolve("fullchain.pem").toString(),
                    "zerogate.relay.tls.key", DIR.resolve("privkey.pem").toString(),
                    "zerogate.relay.tls.reload-period", "200ms",
                    "zerogate.relay.trusted-proxies", "127.0.0.2, 10.9.0.0/16",
                    "quarkus.log.category.\"dev.zerogate.relay.data\".level", "DEBUG");
        }
    }

    @Inject
    RelayKeys keys;

    @Inject
    RelayMetrics metrics;

    private TestPki pki;
    private SSLContext trusting;
    private ManagedChannel grpc;
    private final String networkId = UUID.randomUUID().toString();
    private final String connectorId = UUID.randomUUID().toString();
    private final StreamRecorder<RelayMessage> fromRelay = new StreamRecorder<>(message -> message);
    private StreamObserver<ConnectorMessage> toRelay;

    @BeforeEach
    void connect() throws Exception {
        pki = TestPki.loadOrCreate(DIR);
        trusting = SSLContext.getInstance("TLS");
        trusting.init(null, new TrustManager[]{pki.trustManager()}, null);
        // gRPC over TLS through the public port: grpc-java offers ALPN h2.
        grpc = Grpc.newChannelBuilderForAddress("127.0.0.1", PUBLIC_PORT,
                TlsChannelCredentials.newBuilder().trustManager(pki.trustManager()).build()).build();
    }

    @AfterEach
    void close() throws Exception {
        if (toRelay != null) {
            toRelay.onCompleted();
        }
        grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private RelayKey relayKey() {
        return RelayKey.fromPublic(keys.key().publicText());
    }

    private void registerConnector() throws Exception {
        String token = TestIdentity.instance().token(TestIdentity.Claims.connector(connectorId).withNetwork(networkId));
        toRelay = GrpcProbe.withBearer(RelayControlServiceGrpc.newStub(grpc), token).connect(fromRelay);
        toRelay.onNext(ConnectorMessage.newBuilder().setHello(Hello.newBuilder().setConnectorId(connectorId)
                .setRemoteNetworkId(networkId).setVersion("0.1.0").addSupportedProtocolVersions(1)).build());
        RelayMessage welcome = assertInstanceOf(RelayMessage.class, fromRelay.received().poll(10, TimeUnit.SECONDS));
        assertTrue(welcome.hasWelcome(), welcome.toString());
    }

    private RelayPeer tlsPeer() throws Exception {
        return new RelayPeer(RelayPeer.overTls(RelayPeer.plain("127.0.0.1", PUBLIC_PORT), trusting, TunnelProtocol.RELAY_ALPN));
    }

    private TestGrants.Grant grantFor(KeyPair device) {
        return new TestGrants.Grant(UUID.randomUUID().toString(), networkId, UUID.randomUUID().toString(),
                "pihole.lan", 80, UUID.randomUUID().toString(), RelayPeer.thumbprint(device), Instant.now().plusSeconds(240));
    }

    /** A client and the connector paired over TLS; the connector's FlowRequest came on the control stream. */
    private RelayPeer[] pair() throws Exception {
        KeyPair device = RelayPeer.deviceKey();
        RelayPeer client = tlsPeer();
        client.sendClientJoin(relayKey(), TestGrants.instance().sign(grantFor(device)), device, Instant.now());
        FlowRequest request = assertInstanceOf(RelayMessage.class, fromRelay.received().poll(10, TimeUnit.SECONDS)).getFlowRequest();
        RelayPeer connector = tlsPeer();
        connector.sendConnectorJoin(relayKey(), request.getRendezvousToken());
        assertEquals(RelayAnswerCode.RELAY_ANSWER_CODE_OK, connector.answer().getCode());
        assertEquals(RelayAnswerCode.RELAY_ANSWER_CODE_OK, client.answer().getCode());
        return new RelayPeer[]{client, connector};
    }

    private static void assertCarries(RelayPeer from, RelayPeer to, int bytes, long seed) throws Exception {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        Thread writer = new Thread(() -> {
            try {
                from.socket.getOutputStream().write(data);
                from.socket.getOutputStream().flush();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        byte[] received = to.in.readNBytes(data.length);
        writer.join();
        assertArrayEquals(data, received);
    }

    private X509Certificate servedCertificate() throws Exception {
        try (SSLSocket socket = RelayPeer.overTls(RelayPeer.plain("127.0.0.1", PUBLIC_PORT), trusting, TunnelProtocol.RELAY_ALPN)) {
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private X509Certificate awaitServed(X509Certificate expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        X509Certificate served = servedCertificate();
        while (!served.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            served = servedCertificate();
        }
        return served;
    }

    @Test
    void aConnectionThatDoesNotStartWithTlsIsRefusedAndCounted() throws Exception {
        double before = metrics.refusedCount("not_tls");
        try (RelayPeer plainPreamble = new RelayPeer(PUBLIC_PORT)) {
            plainPreamble.sendRaw(new byte[]{0x5A, 0x47, 0x52, 0x31, 0, 0, 0, 0});
            assertTrue(plainPreamble.closedSilently());
        }
        try (RelayPeer plainHttp = new RelayPeer(PUBLIC_PORT)) {
            plainHttp.sendRaw("GET /q/health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(plainHttp.closedSilently());
        }
        assertEquals(before + 2, metrics.refusedCount("not_tls"));
    }

    @Test
    void grpcWithAlpnH2AndHttpsReachTheRelaysOwnServerThroughTheTlsPort() throws Exception {
        HealthCheckResponse health = HealthGrpc.newBlockingStub(grpc).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());

        HttpsURLConnection https = (HttpsURLConnection) URI.create("https://localhost:" + PUBLIC_PORT + "/api/v1/relay").toURL().openConnection();
        https.setSSLSocketFactory(trusting.getSocketFactory());
        assertEquals(200, https.getResponseCode());
        try (InputStream body = https.getInputStream()) {
            assertTrue(new String(body.readAllBytes()).contains(keys.key().publicText()));
        }
    }

    @Test
    void aSplicedSessionAndTheConnectorStreamOutliveACertificateReloadAndNewHandshakesGetTheNewCertificate() throws Exception {
        registerConnector();
        RelayPeer[] pair = pair();
        try (RelayPeer client = pair[0]; RelayPeer connector = pair[1]) {
            assertCarries(client, connector, 256 * 1024, 1);

            TestPki.Leaf renewed = pki.leaf("relay renewed " + UUID.randomUUID());
            pki.write(renewed, DIR);
            assertEquals(renewed.certificate(), awaitServed(renewed.certificate()), "new handshakes use the renewed certificate");

            assertCarries(client, connector, 64 * 1024, 2);
            assertCarries(connector, client, 64 * 1024, 3);

            // A pair caught half-way (a new certificate, the old key) is not loaded: the renewed one stays.
            pki.writeChain(pki.leaf("relay half-way").certificate(), DIR);
            Thread.sleep(600);
            assertEquals(renewed.certificate(), servedCertificate());
            TestPki.writeKey(renewed.key().getPrivate(), DIR);
            pki.writeChain(renewed.certificate(), DIR);

            // The connector's control stream came through the same port before the reload and still pairs.
            RelayPeer[] after = pair();
            try (RelayPeer client2 = after[0]; RelayPeer connector2 = after[1]) {
                assertCarries(client2, connector2, 1024, 4);
            }
            assertCarries(connector, client, 1024, 5);
        }
    }

    @Test
    void aPreambleSealedToAnotherKeyIsAnsweredKeyUnknownWithTheRelaysKeyId() throws Exception {
        double before = metrics.refusedCount("key_unknown");
        RelayKey published = RelayKey.fromPublic(RelayKey.generate().publicText());
        NioEventLoopGroup group = new NioEventLoopGroup(1);
        try {
            RelayDialer.Plan plan = new RelayDialer.Plan(new InetSocketAddress("127.0.0.1", PUBLIC_PORT), published,
                    sealer -> RelayPreamble.newBuilder().setSentAtUnixMs(System.currentTimeMillis())
                            .setClient(ClientJoin.newBuilder().setGrant("unused")).build(),
                    answer -> {
                        throw new AssertionError("no answer is expected");
                    },
                    Session.Role.CLIENT, null,
                    new RelayTls(RelayTls.clientContext(pki.trustManager()), "localhost", PUBLIC_PORT));
            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> RelayDialer.dial(group, plan).get(10, TimeUnit.SECONDS));
            RelayDialer.RelayKeyUnknownException unknown = assertInstanceOf(RelayDialer.RelayKeyUnknownException.class, failed.getCause());
            assertEquals(keys.key().keyIdText(), unknown.relayKeyId());
            assertEquals(published.keyIdText(), unknown.sealedToKeyId());
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        assertEquals(before + 1, metrics.refusedCount("key_unknown"));
    }

    @Test
    void aTrustedProxysHeaderMakesItsSourceThePeersAddress() throws Exception {
        try (LogCapture logs = LogCapture.of(PublicPort.class)) {
            Socket plain = RelayPeer.plain("127.0.0.2", PUBLIC_PORT);
            plain.getOutputStream().write(PROXY_V1.getBytes(StandardCharsets.US_ASCII));
            try (RelayPeer peer = new RelayPeer(RelayPeer.overTls(plain, trusting, TunnelProtocol.RELAY_ALPN))) {
                peer.sendRaw(new byte[]{'n', 'o', 't', ' ', 'a', ' ', 'p', 'r', 'e', 'a', 'm', 'b', 'l', 'e'});
                assertTrue(peer.closedSilently());
            }
            String line = logs.await("refused a connection from", 5);
            assertNotNull(line, "the refusal was logged");
            assertTrue(line.contains("203.0.113.7:5555"), line);
        }
    }

    @Test
    void aTrustedProxysBinaryV2HeaderIsHonouredToo() throws Exception {
        // v2 signature, version 2 + PROXY, TCP over IPv4, 12 address bytes: 198.51.100.9:4242 → 127.0.0.1:18113.
        byte[] header = java.nio.ByteBuffer.allocate(28)
                .put(new byte[]{0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A})
                .put((byte) 0x21).put((byte) 0x11).putShort((short) 12)
                .put(new byte[]{(byte) 198, 51, 100, 9}).put(new byte[]{127, 0, 0, 1})
                .putShort((short) 4242).putShort((short) PUBLIC_PORT).array();
        try (LogCapture logs = LogCapture.of(PublicPort.class)) {
            Socket plain = RelayPeer.plain("127.0.0.2", PUBLIC_PORT);
            plain.getOutputStream().write(header);
            try (RelayPeer peer = new RelayPeer(RelayPeer.overTls(plain, trusting, TunnelProtocol.RELAY_ALPN))) {
                peer.sendRaw("not a preamble".getBytes(StandardCharsets.US_ASCII));
                assertTrue(peer.closedSilently());
            }
            String line = logs.await("refused a connection from", 5);
            assertNotNull(line, "the refusal was logged");
            assertTrue(line.contains("198.51.100.9:4242"), line);
        }
    }

    @Test
    void aProxyHeaderFromAnAddressNotTrustedIsRefused() throws Exception {
        double before = metrics.refusedCount("proxy_untrusted");
        try (RelayPeer peer = new RelayPeer(PUBLIC_PORT)) {
            peer.sendRaw(PROXY_V1.getBytes(StandardCharsets.US_ASCII));
            assertTrue(peer.closedSilently());
        }
        assertEquals(before + 1, metrics.refusedCount("proxy_untrusted"));
    }

    @Test
    void theDataPlaneAlpnAcceptsNothingButAPreamble() throws Exception {
        double before = metrics.refusedCount("preamble_invalid");
        try (RelayPeer peer = tlsPeer()) {
            peer.sendRaw("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(peer.closedSilently());
        }
        assertEquals(before + 1, metrics.refusedCount("preamble_invalid"));
    }

    @Test
    void aPeerThatStopsInTheTlsHandshakeIsCutOffAtTheHandshakeDeadline() throws Exception {
        double before = metrics.refusedCount("handshake_timeout");
        try (RelayPeer slow = new RelayPeer(PUBLIC_PORT)) {
            slow.sendRaw(new byte[]{0x16, 0x03, 0x01}); // the start of a ClientHello, and no more
            long started = System.nanoTime();
            assertTrue(slow.closedSilently());
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(8), "cut off at the handshake timeout");
        }
        assertEquals(before + 1, metrics.refusedCount("handshake_timeout"), "counted once, as the deadline");
    }
}
