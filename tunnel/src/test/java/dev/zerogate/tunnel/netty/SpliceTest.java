package dev.zerogate.tunnel.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The relay's splice over real loopback sockets, its two channels on different event loops as
 * they are in the relay, with write-buffer water marks so small that backpressure turns each
 * side's reading off and on thousands of times a second, and a far end that reads in bursts:
 * every byte arrives, in order, and the splice never stops. (The lost-resume race that
 * {@link Splice#channelWritabilityChanged} closes is nanoseconds wide; this test did not hit it
 * on the old code in four runs, so it guards backpressure as a whole, not that race.)
 */
class SpliceTest {

    private static final int TOTAL = 48 << 20;

    private final NioEventLoopGroup acceptLoops = new NioEventLoopGroup(1);
    private final NioEventLoopGroup dialLoops = new NioEventLoopGroup(1);
    private Channel server;
    private ServerSocket farEnd;
    private final AtomicLong total = new AtomicLong();

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close().sync();
        }
        if (farEnd != null) {
            farEnd.close();
        }
        acceptLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        dialLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void backpressureFlippingOnTwoLoopsNeverStallsTheSpliceAndEveryByteArrivesInOrder() throws Exception {
        farEnd = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(this::readInBursts);
        WriteBufferWaterMark tiny = new WriteBufferWaterMark(1024, 4096);
        server = new ServerBootstrap().group(acceptLoops).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, tiny)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel outside) {
                        new Bootstrap().group(dialLoops).channel(NioSocketChannel.class)
                                .option(ChannelOption.AUTO_READ, false)
                                .option(ChannelOption.TCP_NODELAY, true)
                                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, tiny)
                                .handler(new ChannelInitializer<SocketChannel>() {
                                    @Override
                                    protected void initChannel(SocketChannel inside) {
                                    }
                                })
                                .connect(farEnd.getLocalSocketAddress()).addListener(connected -> {
                                    Channel inside = ((io.netty.channel.ChannelFuture) connected).channel();
                                    inside.pipeline().addLast(new Splice(outside, bytes -> { }, () -> { }));
                                    outside.pipeline().addLast(new Splice(inside, bytes -> { }, () -> { }));
                                    inside.config().setAutoRead(true);
                                    outside.config().setAutoRead(true);
                                });
                    }
                }).bind(InetAddress.getLoopbackAddress(), 0).sync().channel();

        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort())) {
            CompletableFuture<byte[]> sent = CompletableFuture.supplyAsync(() -> send(client));
            // A stalled splice never delivers the rest: the far end stops waiting after 20 s of silence.
            byte[] arrived;
            try {
                arrived = received.get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("stalled after " + total.get() + " of " + TOTAL + " bytes", e);
            }
            assertArrayEquals(sent.get(10, TimeUnit.SECONDS), arrived, "the far end got other bytes");
        }
    }

    /** Writes {@value #TOTAL} random bytes and half-closes; returns their digest. */
    private static byte[] send(Socket client) {
        try {
            byte[] chunk = new byte[64 * 1024];
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            Random random = new Random(11);
            OutputStream out = client.getOutputStream();
            for (int written = 0; written < TOTAL; written += chunk.length) {
                random.nextBytes(chunk);
                sent.update(chunk);
                out.write(chunk);
            }
            client.shutdownOutput();
            return sent.digest();
        } catch (Exception e) {
            throw new IllegalStateException("sending stopped: " + e, e);
        }
    }

    /** The far end: reads everything, pausing now and then so that the splice's buffers fill. */
    private byte[] readInBursts() {
        try (Socket socket = farEnd.accept()) {
            socket.setSoTimeout(20_000);
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[16 * 1024];
            Random pauses = new Random(3);
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
                if (total.addAndGet(n) % (1 << 20) < n && pauses.nextInt(4) == 0) {
                    Thread.sleep(1);
                }
            }
            assertEquals(TOTAL, total.get());
            return digest.digest();
        } catch (Exception e) {
            throw new IllegalStateException("the far end stopped receiving: " + e, e);
        }
    }
}
