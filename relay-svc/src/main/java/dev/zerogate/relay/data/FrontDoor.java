package dev.zerogate.relay.data;

import dev.zerogate.proto.tunnel.v1.RelayPreamble;
import dev.zerogate.tunnel.Preambles;
import dev.zerogate.tunnel.ProtocolViolation;
import dev.zerogate.tunnel.RelayKey;
import dev.zerogate.tunnel.TunnelProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a connection's preamble on the public port. On a plain port it looks at the first four
 * bytes: the preamble magic means a data-plane peer, whose preamble it reads (header first,
 * body only once its length passed the limit) and opens; anything else goes to the relay's
 * own HTTP/gRPC server. Behind TLS with ALPN {@code zg-relay/1} only a preamble is accepted.
 * A preamble sealed to another key gets the "key unknown" answer ({@code 00 00} and this relay's
 * key id, {@link TunnelProtocol}) and the connection closes. Once a preamble is opened the
 * connection stops reading until it is answered; bytes that came after the preamble stay
 * buffered here and reach the peer after the splice.
 */
final class FrontDoor extends ByteToMessageDecoder {

    /** What the front door hands over. */
    interface Dispatch {
        void preamble(ChannelHandlerContext ctx, Preambles.Opened opened);

        void notOurs(ChannelHandlerContext ctx);

        void refused(ChannelHandlerContext ctx, String reason);
    }

    private enum State { SNIFF, HEADER, BODY, HANDED_OVER }

    private final RelayKey key;
    private final Dispatch dispatch;
    private final boolean preambleOnly;
    private State state = State.SNIFF;
    private Preambles.Header header;

    /** @param preambleOnly true behind TLS with the relay's ALPN: anything but a preamble is refused */
    FrontDoor(RelayKey key, Dispatch dispatch, boolean preambleOnly) {
        this.key = key;
        this.dispatch = dispatch;
        this.preambleOnly = preambleOnly;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case SNIFF -> {
                if (in.readableBytes() < 4) {
                    return;
                }
                if (!Preambles.isPreamble(in.nioBuffer(in.readerIndex(), 4))) {
                    if (preambleOnly) {
                        refuse(ctx, in, "preamble_invalid");
                        return;
                    }
                    state = State.HANDED_OVER;
                    ctx.channel().config().setAutoRead(false);
                    dispatch.notOurs(ctx);
                    return;
                }
                state = State.HEADER;
                decode(ctx, in, out);
            }
            case HEADER -> {
                if (in.readableBytes() < TunnelProtocol.PREAMBLE_HEADER_BYTES) {
                    return;
                }
                ByteBuffer bytes = ByteBuffer.allocate(TunnelProtocol.PREAMBLE_HEADER_BYTES);
                in.readBytes(bytes);
                try {
                    header = Preambles.readHeader(bytes.flip());
                } catch (ProtocolViolation e) {
                    refuse(ctx, in, "preamble_invalid");
                    return;
                }
                state = State.BODY;
                decode(ctx, in, out);
            }
            case BODY -> {
                if (in.readableBytes() < header.bodyLength()) {
                    return;
                }
                if (!Arrays.equals(header.keyId(), key.keyId())) {
                    // Answered only once the whole preamble is read: closing with unread bytes
                    // would reset the connection and could destroy the answer on its way.
                    in.skipBytes(header.bodyLength());
                    answerKeyUnknown(ctx, in);
                    return;
                }
                byte[] body = new byte[header.bodyLength()];
                in.readBytes(body);
                Preambles.Opened opened;
                try {
                    opened = Preambles.open(key, header, body);
                } catch (ProtocolViolation e) {
                    refuse(ctx, in, "preamble_invalid");
                    return;
                }
                if (opened.preamble().getKindCase() == RelayPreamble.KindCase.KIND_NOT_SET) {
                    refuse(ctx, in, "preamble_invalid");
                    return;
                }
                state = State.HANDED_OVER;
                ctx.channel().config().setAutoRead(false);
                dispatch.preamble(ctx, opened);
            }
            case HANDED_OVER -> {
                // Kept in the cumulation until the splice takes it.
            }
        }
    }

    private void answerKeyUnknown(ChannelHandlerContext ctx, ByteBuf in) {
        state = State.HANDED_OVER;
        in.skipBytes(in.readableBytes());
        dispatch.refused(ctx, "key_unknown");
        ByteBuf answer = ctx.alloc().buffer(2 + TunnelProtocol.RELAY_KEY_ID_BYTES)
                .writeShort(TunnelProtocol.KEY_UNKNOWN_ANSWER_LENGTH).writeBytes(key.keyId());
        ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }

    private void refuse(ChannelHandlerContext ctx, ByteBuf in, String reason) {
        state = State.HANDED_OVER;
        in.skipBytes(in.readableBytes());
        dispatch.refused(ctx, reason);
        ctx.close();
    }
}
