package dev.zerogate.relay.data;

import dev.zerogate.tunnel.RelayKey;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * The handlers every new connection on the public port starts with: the PROXY protocol gate,
 * then TLS and its routing by ALPN when the port has a certificate, else the front door; and
 * the one handshake deadline that covers all of it (PROXY header, TLS handshake, preamble).
 */
final class Entrance extends ChannelInitializer<SocketChannel> {

    private final RelayKey key;
    private final FrontDoor.Dispatch dispatch;
    private final ServerTls tls;
    private final TrustedProxies proxies;
    private final long handshakeTimeoutMillis;
    private final Predicate<Channel> handedOver;
    private final BiConsumer<ChannelHandlerContext, String> refuse;
    private final Runnable timedOut;

    /**
     * @param handedOver whether a connection got past its handshake (paired, admitting, or passed to HTTP)
     * @param refuse     counts a refused connection by reason and closes it
     * @param timedOut   counts a connection cut off at the deadline
     */
    Entrance(RelayKey key, FrontDoor.Dispatch dispatch, ServerTls tls, TrustedProxies proxies, long handshakeTimeoutMillis,
             Predicate<Channel> handedOver, BiConsumer<ChannelHandlerContext, String> refuse, Runnable timedOut) {
        this.key = key;
        this.dispatch = dispatch;
        this.tls = tls;
        this.proxies = proxies;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.handedOver = handedOver;
        this.refuse = refuse;
        this.timedOut = timedOut;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        InetSocketAddress remote = channel.remoteAddress();
        boolean trusted = remote != null && remote.getAddress() != null && proxies.contains(remote.getAddress());
        channel.pipeline().addLast("proxy-protocol", new ProxyProtocolGate(trusted, refuse));
        if (tls.enabled()) {
            channel.pipeline().addLast("tls-gate", new TlsGate(tls.context(), routes, refuse));
        } else {
            channel.pipeline().addLast("front-door", new FrontDoor(key, dispatch, false));
        }
        channel.eventLoop().schedule(() -> {
            if (channel.isActive() && !handedOver.test(channel)) {
                timedOut.run();
                channel.close();
            }
        }, handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
    }

    private final TlsGate.Routes routes = new TlsGate.Routes() {
        @Override
        public void relayProtocol(ChannelHandlerContext ctx) {
            ctx.pipeline().addAfter(ctx.name(), "front-door", new FrontDoor(key, dispatch, true));
        }

        @Override
        public void httpOrGrpc(ChannelHandlerContext ctx) {
            ctx.channel().config().setAutoRead(false);
            // Holds the first decrypted bytes until the hop to the HTTP server is open (it removes "front-door").
            ctx.pipeline().addAfter(ctx.name(), "front-door", new HeldBytes());
            dispatch.notOurs(ctx);
        }
    };
}
