package dev.zerogate.connector.tunnel;

import dev.zerogate.connector.policy.Events;
import dev.zerogate.connector.policy.FlowPolicy;
import dev.zerogate.connector.policy.FlowVerdict;
import dev.zerogate.connector.policy.PolicyMirror;
import dev.zerogate.proto.policy.v1.AccessConditions;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.AuthorizationServiceGrpc;
import dev.zerogate.proto.policy.v1.GetGrantSigningKeysRequest;
import dev.zerogate.proto.policy.v1.Resource;
import dev.zerogate.proto.policy.v1.ResourceAddress;
import dev.zerogate.proto.relay.v1.FlowRejectReason;
import dev.zerogate.proto.tunnel.v1.OpenStream;
import dev.zerogate.proto.tunnel.v1.StreamOpened;
import dev.zerogate.proto.tunnel.v1.StreamRefused;
import dev.zerogate.servicekit.grant.AccessGrantVerifier;
import dev.zerogate.servicekit.grant.GrantClaims;
import dev.zerogate.servicekit.grant.RemoteGrantVerifier;
import dev.zerogate.servicekit.token.RemoteKeySetVerifier;
import dev.zerogate.testkit.identity.TestCa;
import dev.zerogate.testkit.identity.TestGrants;
import dev.zerogate.tunnel.KeyThumbprints;
import dev.zerogate.tunnel.ResetCode;
import dev.zerogate.tunnel.Session;
import dev.zerogate.tunnel.StreamRefusals;
import dev.zerogate.tunnel.netty.PeerCertificates;
import dev.zerogate.tunnel.netty.SessionHandler;
import dev.zerogate.tunnel.netty.StreamEnd;
import dev.zerogate.tunnel.netty.TunnelTls;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The connector's flow gate behind a real TLS 1.3 session on loopback, with grants signed like
 * policy-svc's and a copy of the policy fed as the stream sends it: every refusal carries its
 * reason and message, and the destination is never dialled for a refused flow.
 */
class FlowGateTest {

    static final String RESOURCE = Events.PIHOLE;

    private final NioEventLoopGroup group = new NioEventLoopGroup(2);
    private final ExecutorService resolver = Executors.newSingleThreadExecutor();
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final AtomicInteger dialled = new AtomicInteger();
    private TestCa ca;
    private TestCa.Issued device;
    private ServerSocket destination;
    private Channel server;
    private ManagedChannel policyKeys;
    private SessionHandler client;
    private PolicyMirror mirror;
    private FlowGate gate;
    private RemoteGrantVerifier grants;

    @BeforeEach
    void start() throws Exception {
        ca = new TestCa();
        TestCa.Issued connector = ca.issue("connector", Events.CONNECTOR);
        device = ca.issue("device", Events.DEVICE);
        destination = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!destination.isClosed()) {
                try (Socket socket = destination.accept()) {
                    dialled.incrementAndGet();
                    socket.getOutputStream().write("hello from the pi".getBytes(StandardCharsets.UTF_8));
                    socket.shutdownOutput();
                    socket.getInputStream().readAllBytes();
                } catch (Exception e) {
                    // closed by the test
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();

        mirror = new PolicyMirror();
        Resource.Builder piOnLoopback = Resource.newBuilder().setId(RESOURCE).setRemoteNetworkId(Events.NETWORK).setName("Pi")
                .setAddress(ResourceAddress.newBuilder().setIpAddress("127.0.0.1")).setTcp(Events.listed(destination.getLocalPort(), destination.getLocalPort()));
        AccessRule.Builder rule = AccessRule.newBuilder().setId(Events.FAMILY_PIHOLE).setName("family → pi").setGroupId(Events.FAMILY)
                .addResourceIds(RESOURCE).setCreatedAt(Events.timestamp(Instant.now().minusSeconds(3600)))
                .setConditions(AccessConditions.getDefaultInstance());
        Events.snapshot(10, Events.upsert(piOnLoopback), Events.upsert(rule), Events.localGroup(Events.FAMILY, Events.ALICE))
                .forEach(mirror::apply);

        policyKeys = ManagedChannelBuilder.forTarget(TestGrants.instance().policyUrl().replace("http://", "")).usePlaintext().build();
        var keys = AuthorizationServiceGrpc.newBlockingStub(policyKeys);
        RemoteGrantVerifier grants = new RemoteGrantVerifier(
                new AccessGrantVerifier(TestGrants.ISSUER, GrantClaims.CONNECTOR_AUDIENCE),
                () -> CompletableFuture.supplyAsync(() -> new RemoteKeySetVerifier.KeySet(
                        keys.getGrantSigningKeys(GetGrantSigningKeysRequest.getDefaultInstance()).getJwksJson(), Duration.ofMinutes(5))),
                Clock.systemUTC());
        this.grants = grants;
        gate = gate(1_000);

        var serverTls = TunnelTls.connectorSide(connector.key().getPrivate(), List.of(connector.certificate()),
                PeerCertificates.trustManager(List.of(ca.certificate), peer -> peer.kind().equals("device")));
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(serverTls.newHandler(channel.alloc()), new SessionHandler(Session.Role.CONNECTOR, gate));
                    }
                }).bind("127.0.0.1", 0).sync().channel();

        client = connectClient();
    }

    /** A gate over the test's grants and policy copy; sessions that connect from now on meet it. */
    private FlowGate gate(int maxFlowsPerUser) {
        FlowGate created = new FlowGate(grants, new FlowPolicy(Events.NETWORK, Events.CONNECTOR, mirror, Clock.systemUTC(), Duration.ofSeconds(30)),
                new FlowLog(new PrintStream(logged, true, StandardCharsets.UTF_8), Clock.systemUTC()), resolver,
                new SimpleMeterRegistry(), Clock.systemUTC(), maxFlowsPerUser);
        mirror.addListener(created::recheck);
        return created;
    }

    private SessionHandler connectClient() throws Exception {
        var clientTls = TunnelTls.clientSide(device.key().getPrivate(), List.of(device.certificate()),
                PeerCertificates.trustManager(List.of(ca.certificate), peer -> peer.kind().equals("connector")));
        SessionHandler session = new SessionHandler(Session.Role.CLIENT, new SessionHandler.Owner() { });
        CompletableFuture<Void> ready = new CompletableFuture<>();
        new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                SslHandler tls = clientTls.newHandler(channel.alloc());
                channel.pipeline().addLast(tls, session);
                tls.handshakeFuture().addListener(f -> {
                    if (f.isSuccess()) {
                        ready.complete(null);
                    } else {
                        ready.completeExceptionally(f.cause());
                    }
                });
            }
        }).connect(server.localAddress()).sync();
        ready.get(10, TimeUnit.SECONDS);
        return session;
    }

    @AfterEach
    void stop() throws Exception {
        server.close().sync();
        destination.close();
        policyKeys.shutdownNow();
        resolver.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** What a client stream hears. */
    private static class Outcome implements StreamEnd {
        final CompletableFuture<String> result = new CompletableFuture<>();
        volatile int streamId;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public void write(ByteBuf data, Runnable written) {
            byte[] copy = new byte[data.readableBytes()];
            data.readBytes(copy);
            data.release();
            bytes.writeBytes(copy);
            written.run();
        }

        @Override
        public void shutdownOutput() {
            result.complete("fin: " + bytes.toString(StandardCharsets.UTF_8));
        }

        @Override
        public void close(ResetCode code, String message) {
            result.complete("closed " + code + ": " + message);
        }

        @Override
        public void pauseReading() {
        }

        @Override
        public void resumeReading() {
        }

        @Override
        public void opened(StreamOpened opened) {
        }

        @Override
        public void refused(StreamRefused refused) {
            result.complete("refused " + FlowRejectReason.forNumber(refused.getReasonValue()) + ": " + refused.getMessage());
        }
    }

    private TestGrants.Grant alicesGrant() {
        return new TestGrants.Grant(Events.ALICE, Events.NETWORK, RESOURCE, "127.0.0.1", destination.getLocalPort(), Events.DEVICE,
                KeyThumbprints.of(device.key().getPublic()), Instant.now().plusSeconds(240), Events.FAMILY_PIHOLE);
    }

    private String open(String grant, String destinationName, int port) throws Exception {
        Outcome outcome = new Outcome();
        client.eventLoop().submit(() -> {
            int id = client.open(OpenStream.newBuilder().setGrant(grant).setDestination(destinationName).setPort(port)
                    .setProtocol("tcp").build(), outcome);
            client.localFinished(id);
        }).sync();
        return outcome.result.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aFlowTheGrantAndThePolicyAllowReachesTheDestinationAndIsLogged() throws Exception {
        String result = open(TestGrants.instance().sign(alicesGrant()), "127.0.0.1", destination.getLocalPort());
        assertEquals("fin: hello from the pi", result);
        assertEquals(1, dialled.get());
        String log = logged.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("\"event\":\"flow_opened\"") && log.contains("\"user\":\"" + Events.ALICE + "\""), log);
    }

    @Test
    void aUserPastTheFlowCapIsRefusedWithCapacityUntilOneOfTheirFlowsCloses() throws Exception {
        gate = gate(2);
        client = connectClient();
        String grant = TestGrants.instance().sign(alicesGrant());
        Outcome first = openHeld(grant);
        Outcome second = openHeld(grant);
        awaitActiveFlows(2);

        String third = open(grant, "127.0.0.1", destination.getLocalPort());
        assertTrue(third.startsWith("refused FLOW_REJECT_REASON_CAPACITY: this user already has 2 flows open"), third);
        assertEquals(2, gate.activeFlows(), "the refused flow was not dialled");

        client.eventLoop().submit(() -> client.localFailed(first.streamId, ResetCode.CANCELLED, "done")).sync();
        awaitActiveFlows(1);
        Outcome replacement = openHeld(grant);
        awaitActiveFlows(2);
        assertFalse(replacement.result.getNow("open").startsWith("refused"), replacement.result.getNow("open"));
        assertFalse(second.result.getNow("open").startsWith("closed"), "the second flow was left alone");
    }

    @Test
    void aFlowTheClientGivesUpOnWhileItIsDialledIsCountedClosed() throws Exception {
        gate = gate(1);
        client = connectClient();
        String grant = TestGrants.instance().sign(alicesGrant());
        Outcome abandoned = new Outcome();
        client.eventLoop().submit(() -> {
            int id = client.open(OpenStream.newBuilder().setGrant(grant).setDestination("127.0.0.1")
                    .setPort(destination.getLocalPort()).setProtocol("tcp").build(), abandoned);
            client.localFailed(id, ResetCode.CANCELLED, "gave up"); // the RESET overtakes the dial
        }).sync();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!logged.toString(StandardCharsets.UTF_8).contains("\"event\":\"flow_closed\"") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, gate.activeFlows(), "the abandoned flow is not counted open");
        // The user's only slot is free again.
        assertEquals("fin: hello from the pi", open(grant, "127.0.0.1", destination.getLocalPort()));
    }

    /** Opens a flow to the destination and leaves it open (no FIN from this side). */
    private Outcome openHeld(String grant) throws Exception {
        Outcome outcome = new Outcome();
        client.eventLoop().submit(() -> outcome.streamId = client.open(OpenStream.newBuilder().setGrant(grant).setDestination("127.0.0.1")
                .setPort(destination.getLocalPort()).setProtocol("tcp").build(), outcome)).sync();
        return outcome;
    }

    private void awaitActiveFlows(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (gate.activeFlows() != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(expected, gate.activeFlows());
    }

    @Test
    void theReasonsAreFlowRejectReasons() {
        for (FlowVerdict.Reason reason : FlowVerdict.Reason.values()) {
            String name = "FLOW_REJECT_REASON_" + (reason == FlowVerdict.Reason.NONE ? "UNSPECIFIED" : reason.name());
            assertEquals(name, FlowRejectReason.forNumber(FlowGate.refuseReason(reason).getNumber()).name(),
                    "a value of zerogate.relay.v1.FlowRejectReason");
        }
        assertEquals("policy_denied", StreamRefusals.label(FlowGate.refuseReason(FlowVerdict.Reason.POLICY_DENIED)));
    }

    @Test
    void everyRefusalHasItsReasonAndNothingIsDialled() throws Exception {
        int port = destination.getLocalPort();
        TestGrants grants = TestGrants.instance();
        String otherKey = KeyThumbprints.of(TestCa.newKey().getPublic());

        assertEquals("refused FLOW_REJECT_REASON_GRANT_INVALID: no grant", open("", "127.0.0.1", port));
        assertTrue(open(grants.sign(alicesGrant().withExpiry(Instant.now().minusSeconds(120))), "127.0.0.1", port)
                .startsWith("refused FLOW_REJECT_REASON_GRANT_EXPIRED"));
        // A grant for another destination (another resource's) presented for this one.
        assertTrue(open(grants.sign(alicesGrant().withDestination("127.0.0.2", port)), "127.0.0.1", port)
                .startsWith("refused FLOW_REJECT_REASON_GRANT_MISMATCH: grant is for another destination"));
        assertTrue(open(grants.sign(alicesGrant().withKeyThumbprint(otherKey)), "127.0.0.1", port)
                .startsWith("refused FLOW_REJECT_REASON_GRANT_MISMATCH: grant is bound to another key"));
        // Signed for port 9, which the resource does not allow: the connector's copy says no.
        assertTrue(open(grants.sign(alicesGrant().withDestination("127.0.0.1", 9)), "127.0.0.1", 9)
                .startsWith("refused FLOW_REJECT_REASON_POLICY_DENIED"));
        // A grant naming an address that is no resource of this network: never dialled.
        assertTrue(open(grants.sign(alicesGrant().withDestination("10.77.0.1", 22)), "10.77.0.1", 22)
                .startsWith("refused FLOW_REJECT_REASON_POLICY_DENIED"));
        // A resource this connector's policy does not know.
        assertTrue(open(grants.sign(alicesGrant().withResource(Events.VAULT)), "127.0.0.1", port)
                .startsWith("refused FLOW_REJECT_REASON_RESOURCE_UNKNOWN"));

        assertEquals(0, dialled.get(), "a refused flow dialled the destination");
        assertTrue(logged.toString(StandardCharsets.UTF_8).contains("\"event\":\"flow_refused\""));
    }

    @Test
    void anOpenFlowIsResetWhenThePolicyNoLongerAllowsIt() throws Exception {
        // The flow stays open: the client never finishes its side, and the destination's FIN is not the end.
        Outcome outcome = new Outcome() {
            @Override
            public void shutdownOutput() {
            }
        };
        client.eventLoop().submit(() -> client.open(OpenStream.newBuilder().setGrant(TestGrants.instance().sign(alicesGrant()))
                .setDestination("127.0.0.1").setPort(destination.getLocalPort()).setProtocol("tcp").build(), outcome)).sync();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (dialled.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, dialled.get());

        mirror.apply(Events.at(11, Events.localGroup(Events.FAMILY))); // alice leaves the family

        String result = outcome.result.get(5, TimeUnit.SECONDS);
        assertTrue(result.startsWith("closed ACCESS_REVOKED"), result);
        assertTrue(logged.toString(StandardCharsets.UTF_8).contains("\"close_reason\":\"ACCESS_REVOKED"), logged.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aFlowIsClosedWhenItsRuleExpiresWithoutAnyPolicyChange() throws Exception {
        // The rule now expires in 1.5 s: nothing else will change.
        AccessRule.Builder expiring = AccessRule.newBuilder().setId(Events.FAMILY_PIHOLE).setName("family → pi").setGroupId(Events.FAMILY)
                .addResourceIds(RESOURCE).setCreatedAt(Events.timestamp(Instant.now().minusSeconds(3600)))
                .setConditions(AccessConditions.newBuilder().setExpiresAt(Events.timestamp(Instant.now().plusMillis(1500))));
        mirror.apply(Events.at(11, Events.upsert(expiring)));
        Outcome outcome = new Outcome() {
            @Override
            public void shutdownOutput() {
            }
        };
        client.eventLoop().submit(() -> client.open(OpenStream.newBuilder().setGrant(TestGrants.instance().sign(alicesGrant()))
                .setDestination("127.0.0.1").setPort(destination.getLocalPort()).setProtocol("tcp").build(), outcome)).sync();

        String result = outcome.result.get(10, TimeUnit.SECONDS);
        assertTrue(result.startsWith("closed ACCESS_REVOKED") && result.contains("expired"), result);
        assertEquals(1, dialled.get(), "the flow was open before the rule expired");
    }
}
