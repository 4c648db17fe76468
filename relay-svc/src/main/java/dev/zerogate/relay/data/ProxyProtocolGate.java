package dev.zerogate.relay.data;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The first handler on the public port: looks for a PROXY protocol header (v1 text or v2
 * binary) at the start of the connection. From a trusted proxy the header is decoded (Netty's
 * {@link HAProxyMessageDecoder}) and its source becomes the peer's address ({@link PeerAddress});
 * from anyone else a header is refused, so no client can claim another's address. A connection
 * without a header goes on as it came.
 */
final class ProxyProtocolGate extends ByteToMessageDecoder {

    private static final byte[] V1 = "PROXY".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] V2 = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private final boolean trusted;
    private final BiConsumer<ChannelHandlerContext, String> refuse;

    /** @param refuse counts and closes a refused connection, with its reason */
    ProxyProtocolGate(boolean trusted, BiConsumer<ChannelHandlerContext, String> refuse) {
        this.trusted = trusted;
        this.refuse = refuse;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        boolean v1 = startsLike(in, V1);
        boolean v2 = startsLike(in, V2);
        if (!v1 && !v2) {
            ctx.pipeline().remove(this); // not a PROXY header: the bytes go on unchanged
            return;
        }
        if ((v1 && in.readableBytes() < V1.length) || (v2 && in.readableBytes() < V2.length)) {
            return;
        }
        if (!trusted) {
            in.skipBytes(in.readableBytes());
            refuse.accept(ctx, "proxy_untrusted");
            return;
        }
        ctx.pipeline().addAfter(ctx.name(), "proxy-decoder", new HAProxyMessageDecoder());
        ctx.pipeline().addAfter("proxy-decoder", "proxy-source", new ProxySource(refuse));
        ctx.pipeline().remove(this);
    }

    /** Whether the readable bytes so far match the start of {@code signature}. */
    private static boolean startsLike(ByteBuf in, byte[] signature) {
        int n = Math.min(in.readableBytes(), signature.length);
        for (int i = 0; i < n; i++) {
            if (in.getByte(in.readerIndex() + i) != signature[i]) {
                return false;
            }
        }
        return true;
    }

    /** Takes the decoded header: its source (for a PROXY command) becomes the peer's address. */
    private static final class ProxySource extends ChannelInboundHandlerAdapter {
        private final BiConsumer<ChannelHandlerContext, String> refuse;

        ProxySource(BiConsumer<ChannelHandlerContext, String> refuse) {
            this.refuse = refuse;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof HAProxyMessage header)) {
                ctx.fireChannelRead(msg);
                return;
            }
            try {
                // LOCAL (the proxy's own health check) and UNKNOWN carry no client: the proxy is the peer.
                InetAddress source = header.command() == HAProxyCommand.PROXY && header.sourceAddress() != null
                        ? NetUtil.createInetAddressFromIpAddressString(header.sourceAddress()) : null;
                if (source != null) {
                    ctx.channel().attr(PeerAddress.FROM_PROXY).set(new InetSocketAddress(source, header.sourcePort()));
                }
            } finally {
                header.release();
            }
            ctx.pipeline().remove(this);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            refuse.accept(ctx, "proxy_invalid");
        }
    }
}
