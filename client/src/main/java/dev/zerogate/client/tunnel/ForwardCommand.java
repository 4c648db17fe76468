package dev.zerogate.client.tunnel;

import dev.zerogate.client.policy.PolicyCall;
import dev.zerogate.tunnel.ResetCode;
import dev.zerogate.tunnel.netty.ChannelStreamEnd;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code zerogate forward [LOCAL_ADDR:]LOCAL_PORT:RESOURCE:PORT ...}: local TCP ports that carry
 * each accepted connection as a flow to the resource. Runs until interrupted (Ctrl-C). A denied
 * or refused flow is reported on stderr and its local connection reset.
 */
@Command(name = "forward", description = "Forward local TCP ports to resources: [LOCAL_ADDR:]LOCAL_PORT:RESOURCE:PORT ...")
public class ForwardCommand extends TunnelCommand {

    @Parameters(arity = "1..*", paramLabel = "[LOCAL_ADDR:]LOCAL_PORT:RESOURCE:PORT",
            description = "What to forward; LOCAL_ADDR defaults to 127.0.0.1.")
    List<String> forwards;

    /** One forward, parsed. */
    record Forward(String localAddress, int localPort, String resource, int port) {

        static Forward parse(String text) {
            String[] parts = text.split(":");
            // An IPv6 local address would contain colons: accept [addr]:port:resource:port.
            if (text.startsWith("[")) {
                int close = text.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed [ in " + text);
                }
                String[] rest = text.substring(close + 2).split(":");
                if (rest.length != 3) {
                    throw new IllegalArgumentException(text + " is not [LOCAL_ADDR]:LOCAL_PORT:RESOURCE:PORT");
                }
                return new Forward(text.substring(1, close), port(rest[0], text), rest[1], port(rest[2], text));
            }
            return switch (parts.length) {
                case 3 -> new Forward("127.0.0.1", port(parts[0], text), parts[1], port(parts[2], text));
                case 4 -> new Forward(parts[0], port(parts[1], text), parts[2], port(parts[3], text));
                default -> throw new IllegalArgumentException(text + " is not [LOCAL_ADDR:]LOCAL_PORT:RESOURCE:PORT");
            };
        }

        private static int port(String value, String text) {
            try {
                int port = Integer.parseInt(value);
                if (port >= 0 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException("'" + value + "' in " + text + " is not a port (0 to 65535)");
        }
    }

    private List<Forward> parsed;

    @Override
    protected void checkArguments() {
        parsed = new ArrayList<>();
        for (String text : forwards) {
            try {
                parsed.add(Forward.parse(text));
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
    }

    @Override
    String describeRun() {
        return "forward " + String.join(" ", forwards);
    }

    @Override
    int run(PolicyCall call, TunnelClient tunnel) throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = call.out();
        List<Channel> listeners = new ArrayList<>();
        for (Forward forward : parsed) {
            Channel listener = new ServerBootstrap().group(tunnel.eventLoops()).channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel local) {
                            ChannelStreamEnd end = new ChannelStreamEnd(local);
                            tunnel.open(forward.resource(), forward.port(), end, (sessionHandler, id) -> end.attach(sessionHandler, id, reason -> { }))
                                    .whenComplete((id, failure) -> {
                                        if (failure != null) {
                                            err.println("zerogate: " + describe(failure, forward.resource(), forward.port()));
                                            err.flush();
                                            local.eventLoop().execute(() -> end.close(ResetCode.CANCELLED, "refused"));
                                        }
                                    });
                        }
                    })
                    .bind(forward.localAddress(), forward.localPort()).sync().channel();
            listeners.add(listener);
            InetSocketAddress bound = (InetSocketAddress) listener.localAddress();
            out.printf("forwarding %s:%d -> %s:%d%n", bound.getHostString(), bound.getPort(), forward.resource(), forward.port());
        }
        out.flush();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        stop.await();
        listeners.forEach(Channel::close);
        return 0;
    }
}
