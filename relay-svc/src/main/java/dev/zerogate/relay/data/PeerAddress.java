package dev.zerogate.relay.data;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A public-port peer's address: the source a trusted proxy's PROXY header carried, else the
 * connection's own remote address. Everything that names or counts a peer by address uses this.
 */
final class PeerAddress {

    /** Set once, by {@link ProxyProtocolGate}, from a trusted proxy's header. */
    static final AttributeKey<InetSocketAddress> FROM_PROXY = AttributeKey.valueOf("zerogate-proxied-source");

    static SocketAddress of(Channel channel) {
        InetSocketAddress proxied = channel.attr(FROM_PROXY).get();
        return proxied != null ? proxied : channel.remoteAddress();
    }

    /** For logs: {@code 203.0.113.7:5555}, without a host-name lookup. */
    static String text(Channel channel) {
        SocketAddress address = of(channel);
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    private PeerAddress() {
    }
}
