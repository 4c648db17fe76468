package dev.zerogate.tunnel.netty;

import dev.zerogate.proto.tunnel.v1.RelayAnswer;
import dev.zerogate.proto.tunnel.v1.RelayAnswerCode;
import dev.zerogate.proto.tunnel.v1.RelayPreamble;
import dev.zerogate.tunnel.Preambles;
import dev.zerogate.tunnel.ProtocolViolation;
import dev.zerogate.tunnel.RelayKey;
import dev.zerogate.tunnel.Session;
import dev.zerogate.tunnel.TunnelProtocol;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import javax.net.ssl.SSLHandshakeException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Dials a relay's public port, sends a sealed preamble, reads the sealed answer and, on OK,
 * runs the end-to-end TLS session over the spliced connection: the one path by which clients
 * (ClientJoin, TLS client) and connectors (ConnectorJoin, TLS server: the side follows from the
 * {@link SslContext} the plan gives) reach each other.
 */
public final class RelayDialer {

    /** The relay did not pair us; the code and the relay's message say why. */
    public static final class RelayRefusedException extends Exception {
        private final RelayAnswerCode code;

        public RelayRefusedException(RelayAnswerCode code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        public RelayAnswerCode code() {
            return code;
        }
    }

    /**
     * The relay holds another preamble key than the one the preamble was sealed to (its
     * "key unknown" answer, {@link TunnelProtocol}). Not authenticated: only ever a reason to refuse.
     */
    public static final class RelayKeyUnknownException extends java.io.IOException {
        private final String sealedToKeyId;
        private final String relayKeyId;

        public RelayKeyUnknownException(String sealedToKeyId, String relayKeyId) {
            super("the relay holds preamble key " + relayKeyId + ", not " + sealedToKeyId, null);
            this.sealedToKeyId = sealedToKeyId;
            this.relayKeyId = relayKeyId;
        }

        /** Hex id of the key the preamble was sealed to (the published one). */
        public String sealedToKeyId() {
            return sealedToKeyId;
        }

        /** Hex id of the key the relay says it holds. */
        public String relayKeyId() {
            return relayKeyId;
        }
    }

    /**
     * What to send, how to secure the session once paired, and who owns it.
     *
     * @param outerTls the TLS to the relay itself when its URL is https://, or null for a plain connection
     */
    public record Plan(InetSocketAddress relay, RelayKey relayKey,
                       Function<Preambles.Sealer, RelayPreamble> preamble,
                       Function<RelayAnswer, SslContext> tls, Session.Role role, SessionHandler.Owner owner,
                       RelayTls outerTls) {

        public Plan(InetSocketAddress relay, RelayKey relayKey, Function<Preambles.Sealer, RelayPreamble> preamble,
                    Function<RelayAnswer, SslContext> tls, Session.Role role, SessionHandler.Owner owner) {
            this(relay, relayKey, preamble, tls, role, owner, null);
        }
    }

    /** A paired, handshaken session and the relay's answer. */
    public record Established(SessionHandler session, RelayAnswer answer) {
    }

    private static final long CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final long ANSWER_TIMEOUT_MILLIS = 15_000;

    public static CompletableFuture<Established> dial(EventLoopGroup group, Plan plan) {
        CompletableFuture<Established> result = new CompletableFuture<>();
        Preambles.Sealer sealer = new Preambles.Sealer(plan.relayKey());
        byte[] preamble;
        try {
            preamble = sealer.seal(plan.preamble().apply(sealer));
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return result;
        }
        new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (plan.outerTls() != null) {
                            SslHandler outer = plan.outerTls().newHandler(channel.alloc());
                            channel.pipeline().addLast("relay-tls", outer);
                            outer.handshakeFuture().addListener(handshake -> {
                                if (!handshake.isSuccess()) {
                                    result.completeExceptionally(handshake.cause());
                                    channel.close();
                                } else if (!RelayTls.agreedOnAlpn(outer)) {
                                    result.completeExceptionally(new SSLHandshakeException("the server at "
                                            + plan.outerTls().serverName() + " did not agree on ALPN " + TunnelProtocol.RELAY_ALPN
                                            + ": it is not a zerogate relay, or one too old for TLS"));
                                    channel.close();
                                }
                            });
                        }
                        channel.pipeline().addLast("answer", new AnswerReader(sealer, plan, result));
                    }
                })
                .connect(plan.relay()).addListener((ChannelFutureListener) connected -> {
                    if (!connected.isSuccess()) {
                        result.completeExceptionally(connected.cause());
                        return;
                    }
                    Channel channel = connected.channel();
                    // With outer TLS the handler holds this until its handshake is done.
                    channel.writeAndFlush(Unpooled.wrappedBuffer(preamble));
                    channel.eventLoop().schedule(() -> {
                        if (result.completeExceptionally(new java.util.concurrent.TimeoutException(
                                "the relay answered nothing within " + ANSWER_TIMEOUT_MILLIS / 1000 + " s"))) {
                            channel.close();
                        }
                    }, ANSWER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                    channel.closeFuture().addListener(f -> result.completeExceptionally(
                            new java.io.IOException("the relay closed the connection")));
                });
        return result;
    }

    /** Reads the 2-byte length and the sealed answer, then turns the pipeline into TLS + session. */
    private static final class AnswerReader extends ByteToMessageDecoder {
        private final Preambles.Sealer sealer;
        private final Plan plan;
        private final CompletableFuture<Established> result;
        private int length = -1;

        AnswerReader(Preambles.Sealer sealer, Plan plan, CompletableFuture<Established> result) {
            this.sealer = sealer;
            this.plan = plan;
            this.result = result;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            try {
                if (length < 0) {
                    if (in.readableBytes() < 2) {
                        return;
                    }
                    length = Preambles.answerLength(in.readSlice(2).nioBuffer());
                }
                if (length == TunnelProtocol.KEY_UNKNOWN_ANSWER_LENGTH) {
                    if (in.readableBytes() < TunnelProtocol.RELAY_KEY_ID_BYTES) {
                        return;
                    }
                    byte[] held = new byte[TunnelProtocol.RELAY_KEY_ID_BYTES];
                    in.readBytes(held);
                    result.completeExceptionally(new RelayKeyUnknownException(plan.relayKey().keyIdText(),
                            java.util.HexFormat.of().formatHex(held)));
                    ctx.close();
                    return;
                }
                if (in.readableBytes() < length) {
                    return;
                }
                byte[] sealed = new byte[length];
                in.readBytes(sealed);
                RelayAnswer answer = sealer.openAnswer(sealed);
                if (answer.getCode() != RelayAnswerCode.RELAY_ANSWER_CODE_OK) {
                    result.completeExceptionally(new RelayRefusedException(answer.getCode(), answer.getMessage()));
                    ctx.close();
                    return;
                }
                SslHandler tls = plan.tls().apply(answer).newHandler(ctx.alloc());
                SessionHandler session = new SessionHandler(plan.role(), plan.owner());
                // The session handler goes in now: application data may follow the handshake in
                // the very read that completes it.
                // After the relay's own TLS, if any: whoever reads the session's peer takes the last SslHandler.
                ctx.pipeline().addLast("tls", tls);
                ctx.pipeline().addLast("session", session);
                tls.handshakeFuture().addListener(handshake -> {
                    // Runs on the loop as the handshake completes, before any application data goes up.
                    if (handshake.isSuccess() && !TunnelTls.agreedOnAlpn(tls)) {
                        result.completeExceptionally(new SSLHandshakeException(
                                "the peer did not agree on ALPN " + TunnelProtocol.ALPN));
                        ctx.close();
                    } else if (handshake.isSuccess()) {
                        result.complete(new Established(session, answer));
                    } else {
                        result.completeExceptionally(handshake.cause());
                        ctx.close();
                    }
                });
                ctx.pipeline().remove(this); // any bytes after the answer are TLS: they go to the handler above
            } catch (ProtocolViolation | RuntimeException e) {
                result.completeExceptionally(e);
                ctx.close();
            }
        }
    }

    private RelayDialer() {
    }
}
