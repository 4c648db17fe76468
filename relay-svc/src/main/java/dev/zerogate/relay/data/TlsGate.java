package dev.zerogate.relay.data;

import dev.zerogate.tunnel.TunnelProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.quarkus.logging.Log;

import java.util.List;
import java.util.function.BiConsumer;

/**
 * On a public port with TLS: refuses a connection whose first byte does not start a TLS
 * handshake record, else puts TLS (with the context current at this moment, so a reload never
 * touches a handshake under way) in front of the routing by ALPN: {@value TunnelProtocol#RELAY_ALPN}
 * to the front door's preamble path, anything else or none to the HTTP/gRPC server.
 */
final class TlsGate extends ByteToMessageDecoder {

    /** TLS record type 22, handshake: every ClientHello starts with it. */
    private static final int HANDSHAKE_RECORD = 0x16;

    /** Where a connection goes once its TLS is up. */
    interface Routes {
        void relayProtocol(ChannelHandlerContext ctx);

        void httpOrGrpc(ChannelHandlerContext ctx);
    }

    private final SslContext context;
    private final Routes routes;
    private final BiConsumer<ChannelHandlerContext, String> refuse;

    TlsGate(SslContext context, Routes routes, BiConsumer<ChannelHandlerContext, String> refuse) {
        this.context = context;
        this.routes = routes;
        this.refuse = refuse;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return;
        }
        if (in.getUnsignedByte(in.readerIndex()) != HANDSHAKE_RECORD) {
            in.skipBytes(in.readableBytes());
            refuse.accept(ctx, "not_tls");
            return;
        }
        SslHandler tls = context.newHandler(ctx.alloc());
        tls.setHandshakeTimeoutMillis(0); // the port's one deadline (Entrance) covers TLS and preamble together
        ctx.pipeline().addAfter(ctx.name(), "tls", tls);
        ctx.pipeline().addAfter("tls", "alpn", new AlpnRoute());
        ctx.pipeline().remove(this); // the bytes so far go to the TLS handler
    }

    private final class AlpnRoute extends ApplicationProtocolNegotiationHandler {
        AlpnRoute() {
            super(ApplicationProtocolNames.HTTP_1_1); // no ALPN agreed: the HTTP server's
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (TunnelProtocol.RELAY_ALPN.equals(protocol)) {
                routes.relayProtocol(ctx);
            } else {
                routes.httpOrGrpc(ctx);
            }
        }

        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            Log.debugf("a TLS handshake on the public port failed: %s", cause.toString());
            refuse.accept(ctx, "tls_handshake_failed");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // The handshake's own failure arrives as an event too (counted above); this only closes.
            ctx.close();
        }
    }
}
