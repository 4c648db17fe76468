package dev.zerogate.relay.data;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Keeps whatever arrives until it is removed, then passes it on: holds the first bytes of an
 * HTTP/gRPC connection while the hop to the relay's own server is being opened.
 */
final class HeldBytes extends ByteToMessageDecoder {

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        // Kept in the cumulation until the splice takes it.
    }
}
