package dev.zerogate.tunnel.netty;

import dev.zerogate.proto.tunnel.v1.OpenStream;
import dev.zerogate.proto.tunnel.v1.StreamOpened;
import dev.zerogate.proto.tunnel.v1.StreamRefuseReason;
import dev.zerogate.proto.tunnel.v1.StreamRefused;
import dev.zerogate.tunnel.ResetCode;
import dev.zerogate.testkit.identity.TestCa;
import dev.zerogate.tunnel.Session;
import dev.zerogate.tunnel.TunnelProtocol;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Netty adapters over real loopback TCP and real TLS 1.3 with zerogate-shaped
 * certificates: a client session, a connector session that dials a real echo server for each
 * stream, and bytes through both.
 */
class SessionOverTlsTest {

    private final NioEventLoopGroup group = new NioEventLoopGroup(2);
    private final TestCa ca;
    private final TestCa.Issued connectorCert;
    private final TestCa.Issued deviceCert;
    private ServerSocket echo;
    private Channel server;
    private SslProvider connectorTls = TunnelTls.provider();
    private SslProvider clientTls = TunnelTls.provider();

    SessionOverTlsTest() throws Exception {
        ca = new TestCa();
        connectorCert = ca.issue("connector", "c-1");
        deviceCert = ca.issue("device", "d-1");
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close().sync();
        }
        if (echo != null) {
            echo.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** An echo server on plain blocking sockets: the private resource. */
    private int startEcho() throws Exception {
        echo = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket socket = echo.accept();
                    new Thread(() -> {
                        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                            in.transferTo(out);
                            socket.shutdownOutput();
                        } catch (Exception ignored) {
                            // the test ended the flow
                        }
                    }).start();
                } catch (Exception e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        return echo.getLocalPort();
    }

    /** The connector: TLS server, each stream dialled to the echo server. */
    private int startConnector(int echoPort) throws Exception {
        SslContext tls = TunnelTls.connectorSide(connectorTls, connectorCert.key().getPrivate(), List.of(connectorCert.certificate()),
                PeerCertificates.trustManager(List.of(ca.certificate), peer -> peer.kind().equals("device")));
        SessionHandler.Owner owner = new SessionHandler.Owner() {
            @Override
            public void onOpenRequested(SessionHandler session, int streamId, OpenStream request) {
                if (!request.getDestination().equals("echo.lan")) {
                    session.refuse(streamId, StreamRefuseReason.STREAM_REFUSE_REASON_RESOURCE_UNKNOWN, request.getDestination() + " is not a resource");
                    return;
                }
                new Bootstrap().group(session.eventLoop()).channel(NioSocketChannel.class)
                        .option(ChannelOption.AUTO_READ, false).option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                        .handler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel channel) {
                            }
                        })
                        .connect("127.0.0.1", echoPort).addListener((ChannelFutureListener) dialled -> {
                            ChannelStreamEnd end = new ChannelStreamEnd(dialled.channel());
                            session.accept(streamId, StreamOpened.newBuilder().setResolvedAddress("127.0.0.1").build(), end);
                            end.attach(session, streamId, reason -> { });
                        });
            }
        };
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        accepted.add(channel);
                        channel.pipeline().addLast(tls.newHandler(channel.alloc()), new SessionHandler(Session.Role.CONNECTOR, owner));
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    private SessionHandler connectClient(int port, TestCa.Issued device, String expectedConnector) throws Exception {
        SslContext tls = TunnelTls.clientSide(clientTls, device.key().getPrivate(), List.of(device.certificate()),
                PeerCertificates.trustManager(List.of(ca.certificate),
                        peer -> peer.kind().equals("connector") && peer.id().equals(expectedConnector)));
        SessionHandler session = new SessionHandler(Session.Role.CLIENT, new SessionHandler.Owner() { });
        CompletableFuture<SessionHandler> ready = new CompletableFuture<>();
        new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        SslHandler handler = tls.newHandler(channel.alloc());
                        channel.pipeline().addLast(handler, session);
                        handler.handshakeFuture().addListener(f -> {
                            if (f.isSuccess()) {
                                ready.complete(session);
                            } else {
                                ready.completeExceptionally(f.cause());
                            }
                        });
                    }
                }).connect("127.0.0.1", port);
        return ready.get(10, TimeUnit.SECONDS);
    }

    /** A client-side stream end that keeps what arrives. */
    private static final class Collector implements StreamEnd {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CompletableFuture<String> done = new CompletableFuture<>();
        final CompletableFuture<StreamRefused> refusal = new CompletableFuture<>();

        @Override
        public void write(ByteBuf data, Runnable written) {
            byte[] copy = new byte[data.readableBytes()];
            data.readBytes(copy);
            data.release();
            synchronized (bytes) {
                bytes.writeBytes(copy);
            }
            written.run();
        }

        @Override
        public void shutdownOutput() {
            done.complete("fin");
        }

        @Override
        public void close(ResetCode code, String message) {
            done.complete(code + ": " + message);
        }

        @Override
        public void pauseReading() {
        }

        @Override
        public void resumeReading() {
        }

        @Override
        public void refused(StreamRefused refused) {
            refusal.complete(refused);
        }
    }

    private static OpenStream open(String destination) {
        return OpenStream.newBuilder().setGrant("g").setDestination(destination).setPort(7).setProtocol("tcp").build();
    }

    @Test
    void bytesEchoThroughTheEncryptedSessionByteForByte() throws Exception {
        echoThreeWindowsAndAShortStream();
    }

    @Test
    void theBundledBoringSslCarriesSessionsOnLinux() {
        String arch = System.getProperty("os.arch");
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name").equals("Linux")
                && (arch.equals("amd64") || arch.equals("aarch64")), "BoringSSL is bundled for Linux x86-64 and AArch64 only");
        assertEquals(SslProvider.OPENSSL, TunnelTls.provider(), "netty-tcnative did not load: " + io.netty.handler.ssl.OpenSsl.unavailabilityCause());
        assertEquals(SslProvider.JDK, TunnelTls.providerFor("JDK"));
        assertThrows(IllegalArgumentException.class, () -> TunnelTls.providerFor("conscrypt"));
    }

    /** A Raspberry Pi without the native library falls back to the JDK; it must still meet clients that have it. */
    @ParameterizedTest(name = "client {0}, connector {1}")
    @CsvSource({"JDK, OPENSSL", "OPENSSL, JDK"})
    void endsOnDifferentTlsImplementationsStillCarryBytes(SslProvider client, SslProvider connector) throws Exception {
        clientTls = client;
        connectorTls = connector;
        echoThreeWindowsAndAShortStream();
    }

    private void echoThreeWindowsAndAShortStream() throws Exception {
        int port = startConnector(startEcho());
        SessionHandler client = connectClient(port, deviceCert, "c-1");
        // Three widened windows: the connector's end must hand credit back (after its writes to the
        // echo server) twice in each direction, or the stream stalls.
        byte[] payload = new byte[3 * TunnelProtocol.WIDE_STREAM_WINDOW];
        new Random(5).nextBytes(payload);
        Collector first = new Collector();
        Collector second = new Collector();
        client.eventLoop().submit(() -> {
            int a = client.open(open("echo.lan"), first);
            int b = client.open(open("echo.lan"), second);
            client.fromLocal(a, Unpooled.wrappedBuffer(payload));
            client.localFinished(a);
            client.fromLocal(b, Unpooled.wrappedBuffer("second stream".getBytes()));
            client.localFinished(b);
        }).sync();

        assertEquals("fin", first.done.get(20, TimeUnit.SECONDS));
        assertEquals("fin", second.done.get(20, TimeUnit.SECONDS));
        assertArrayEquals(payload, first.bytes.toByteArray());
        assertArrayEquals("second stream".getBytes(), second.bytes.toByteArray());
    }

    @Test
    void aRetiredSessionCarriesItsStreamsToTheEndAndThenCloses() throws Exception {
        int port = startConnector(startEcho());
        SessionHandler client = connectClient(port, deviceCert, "c-1");
        Collector end = new Collector();
        int id = client.eventLoop().submit(() -> {
            int stream = client.open(open("echo.lan"), end);
            client.retireWhenIdle();
            return stream;
        }).get(10, TimeUnit.SECONDS);
        assertTrue(client.isOpen(), "a stream is still open: the session stays");

        client.eventLoop().submit(() -> {
            client.fromLocal(id, Unpooled.wrappedBuffer("last words".getBytes()));
            client.localFinished(id);
        }).sync();
        assertEquals("fin", end.done.get(10, TimeUnit.SECONDS));
        assertArrayEquals("last words".getBytes(), end.bytes.toByteArray());
        assertFalse(stillOpenAfter(client, 5), "the last stream ended: the retired session closed");
    }

    /** Whether the session is still open after waiting up to {@code seconds} for it to close. */
    private static boolean stillOpenAfter(SessionHandler session, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (session.isOpen() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return session.isOpen();
    }

    @Test
    void aRetiredSessionWithoutStreamsClosesAtOnce() throws Exception {
        int port = startConnector(startEcho());
        SessionHandler client = connectClient(port, deviceCert, "c-1");
        client.eventLoop().submit(client::retireWhenIdle).sync();
        assertFalse(stillOpenAfter(client, 5), "nothing to carry: the retired session closed");
    }

    @Test
    void aDestinationThatIsNotAResourceIsRefusedWithItsReason() throws Exception {
        int port = startConnector(startEcho());
        SessionHandler client = connectClient(port, deviceCert, "c-1");
        Collector end = new Collector();
        client.eventLoop().submit(() -> client.open(open("10.1.2.3"), end)).sync();
        assertEquals("10.1.2.3 is not a resource", end.refusal.get(10, TimeUnit.SECONDS).getMessage());
    }

    @Test
    void theClientRefusesAConnectorOtherThanTheOneTheRelayNamed() throws Exception {
        int port = startConnector(startEcho());
        Exception failure = assertThrows(Exception.class, () -> connectClient(port, deviceCert, "c-2"));
        StringBuilder chain = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            chain.append(t).append(" <- ");
        }
        assertTrue(chain.toString().contains("not the expected peer"), chain.toString());
    }

    @Test
    void theConnectorRefusesACertificateThatIsNotADevices() throws Exception {
        int port = startConnector(startEcho());
        TestCa.Issued impostor = ca.issue("connector", "c-9");
        String outcome;
        try {
            SessionHandler session = connectClient(port, impostor, "c-1");
            // TLS 1.3: the server's verdict on the client certificate arrives after the client's handshake.
            Collector end = new Collector();
            var opened = session.eventLoop().submit(() -> session.open(open("echo.lan"), end)).await();
            if (opened.isSuccess()) {
                outcome = end.done.get(10, TimeUnit.SECONDS);
                assertEquals(0, end.bytes.size());
            } else {
                // The connector's refusal can end the session before the stream is even asked for.
                outcome = "session already closed: " + opened.cause().getMessage();
            }
        } catch (java.util.concurrent.ExecutionException handshakeFailed) {
            outcome = "handshake failed: " + handshakeFailed.getCause();
        }
        assertTrue(!outcome.equals("fin"), "the session must not carry a stream: " + outcome);
    }

    @Test
    void aLivenessProbeIsAnsweredByALivePeer() throws Exception {
        int port = startConnector(startEcho());
        SessionHandler client = connectClient(port, deviceCert, "c-1");
        Thread.sleep(50);
        assertTrue(client.eventLoop().submit(client::silentMillis).get() >= 50, "silent since the handshake");
        boolean alive = client.eventLoop().submit(() -> client.verifyAlive(2_000)).get().get(5, TimeUnit.SECONDS);
        assertTrue(alive);
        assertTrue(client.isOpen());
        assertTrue(client.eventLoop().submit(client::silentMillis).get() < 50, "the PONG counted as life");
    }

    @Test
    void aPeerThatNoLongerAnswersFailsTheProbeAndTheSessionCloses() throws Exception {
        int port = startConnector(startEcho());
        SessionHandler client = connectClient(port, deviceCert, "c-1");
        // The path dies without a FIN (a laptop that slept, an address that is gone): the
        // connector stops reading, so no PONG comes back.
        Channel connectorSide = awaitAcceptedChild();
        connectorSide.config().setAutoRead(false);
        connectorSide.eventLoop().submit(() -> { }).sync(); // autoRead=false takes effect on its loop
        Collector end = new Collector();
        client.eventLoop().submit(() -> client.open(open("echo.lan"), end)).sync();
        long started = System.nanoTime();
        boolean alive = client.eventLoop().submit(() -> client.verifyAlive(300)).get().get(5, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertFalse(alive);
        assertTrue(millis >= 250, "waited for the answer: " + millis + " ms");
        assertFalse(client.isOpen(), "a dead session is closed");
        assertTrue(end.done.get(5, TimeUnit.SECONDS).startsWith("IDLE"), "its streams end with the reason: " + end.done.get());
    }

    private final java.util.concurrent.LinkedBlockingQueue<Channel> accepted = new java.util.concurrent.LinkedBlockingQueue<>();

    private Channel awaitAcceptedChild() throws InterruptedException {
        Channel child = accepted.poll(5, TimeUnit.SECONDS);
        assertTrue(child != null, "the connector accepted the session");
        return child;
    }
}
