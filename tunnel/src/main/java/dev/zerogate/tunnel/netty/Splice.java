package dev.zerogate.tunnel.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateEvent;

import java.util.function.LongConsumer;

/**
 * Copies every byte read on one channel to its peer, and nothing else: the relay's whole
 * per-byte cost, and the client's direct path for destinations that are not resources. Reads
 * stop while the peer cannot take more (its outbound buffer is above the high-water mark) and
 * resume when it drains, so a slow side holds back a fast one instead of filling memory. A half-close (EOF) is passed on as a half-close; once both
 * directions ended, or either side closed or failed, both close. An idle event (no bytes
 * either way) closes both.
 */
public final class Splice extends ChannelInboundHandlerAdapter {

    private final Channel peer;
    private final LongConsumer bytesCounter;
    private final Runnable onIdle;

    public Splice(Channel peer, LongConsumer bytesCounter, Runnable onIdle) {
        this.peer = peer;
        this.bytesCounter = bytesCounter;
        this.onIdle = onIdle;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf data) {
            bytesCounter.accept(data.readableBytes());
        }
        peer.write(msg, peer.voidPromise());
        if (!peer.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // This channel drained: let the peer read again. On the peer's own loop, and only if this
        // channel is still writable then: the peer turns its reading off on its loop (channelRead
        // above) after seeing this channel unwritable, and the two may be different threads. Set
        // from here, a "resume" could land between the peer's check and its "pause" and be lost,
        // and with no further writability change the splice would stall for good.
        Channel self = ctx.channel();
        if (self.isWritable()) {
            peer.eventLoop().execute(() -> {
                if (self.isWritable()) {
                    peer.config().setAutoRead(true);
                }
            });
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (peer.isActive()) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            // Half-close travels: this side sends no more, so the peer's output ends after a flush.
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                if (peer instanceof SocketChannel socket && socket.isActive() && !socket.isOutputShutdown()) {
                    socket.shutdownOutput();
                }
                if (ctx.channel() instanceof SocketChannel self && self.isOutputShutdown()) {
                    ctx.close();
                    peer.close();
                }
            });
            return;
        }
        if (event instanceof IdleStateEvent) {
            onIdle.run();
            ctx.close();
            peer.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
