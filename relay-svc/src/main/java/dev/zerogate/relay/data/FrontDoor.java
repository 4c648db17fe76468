package dev.zerogate.relay.data;

import dev.zerogate.proto.tunnel.v1.RelayPreamble;
import dev.zerogate.tunnel.Preambles;
import dev.zerogate.tunnel.ProtocolViolation;
import dev.zerogate.tunnel.RelayKey;
import dev.zerogate.tunnel.TunnelProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The first handler of every connection on the public port. It looks at the first four
 * bytes: the preamble magic means a data-plane peer, whose preamble it reads (header first,
 * body only once its length passed the limit) and opens; anything else goes to the relay's
 * own HTTP/gRPC server. Once a preamble is opened the connection stops reading until it is
 * answered; bytes that came after the preamble stay buffered here and reach the peer after
 * the splice.
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
    private State state = State.SNIFF;
    private Preambles.Header header;

    FrontDoor(RelayKey key, Dispatch dispatch) {
        this.key = key;
        this.dispatch = dispatch;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case SNIFF -> {
                if (in.readableBytes() < 4) {
                    return;
                }
                if (!Preambles.isPreamble(in.nioBuffer(in.readerIndex(), 4))) {
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

    private void refuse(ChannelHandlerContext ctx, ByteBuf in, String reason) {
        state = State.HANDED_OVER;
        in.skipBytes(in.readableBytes());
        dispatch.refused(ctx, reason);
        ctx.close();
    }
}
