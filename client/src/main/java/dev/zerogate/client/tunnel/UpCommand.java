package dev.zerogate.client.tunnel;

import dev.zerogate.client.policy.PolicyCall;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;

/**
 * {@code zerogate up}: a local SOCKS5 and HTTP CONNECT proxy (one port, told apart by the first
 * byte). Destinations that are resources of yours go through zerogate, the name resolved by the
 * connector in the private network (split tunnelling); any other destination is refused with a
 * clear message, or with {@code --others=direct} connected directly from this machine.
 */
@Command(name = "up", description = "Run a local SOCKS5 and HTTP CONNECT proxy: resources go through zerogate, the rest is refused or passed directly.")
public class UpCommand extends TunnelCommand {

    enum Others { refuse, direct }

    @Option(names = "--listen", paramLabel = "ADDR:PORT", defaultValue = "127.0.0.1:1080",
            description = "Where the proxy listens (default: ${DEFAULT-VALUE}; keep it on loopback).")
    String listen;

    @Option(names = "--others", paramLabel = "refuse|direct", defaultValue = "refuse",
            description = "What to do with destinations that are not your resources: refuse them (default) or connect directly.")
    Others others;

    private String host;
    private int port;

    @Override
    protected void checkArguments() {
        int colon = listen.lastIndexOf(':');
        try {
            host = listen.substring(0, colon).replace("[", "").replace("]", "");
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (RuntimeException e) {
            throw usage("--listen must be ADDR:PORT, not " + listen);
        }
        if (colon <= 0 || port < 0 || port > 65535) {
            throw usage("--listen must be ADDR:PORT, not " + listen);
        }
    }

    @Override
    String describeRun() {
        return "up " + listen;
    }

    @Override
    int run(PolicyCall call, TunnelClient tunnel) throws Exception {
        var err = spec.commandLine().getErr();
        Channel listener = new ServerBootstrap().group(tunnel.eventLoops()).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel local) {
                        local.pipeline().addLast(new ProxyFront(tunnel, others == Others.direct, err));
                    }
                })
                .bind(host, port).sync().channel();
        InetSocketAddress bound = (InetSocketAddress) listener.localAddress();
        call.out().printf("zerogate up: SOCKS5 and HTTP CONNECT proxy on %s:%d; your resources go through zerogate, "
                + "other destinations are %s%n", bound.getHostString(), bound.getPort(),
                others == Others.direct ? "connected directly" : "refused");
        call.out().flush();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        stop.await();
        listener.close();
        return 0;
    }
}
