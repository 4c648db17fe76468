package dev.zerogate.tunnel.netty;

import dev.zerogate.tunnel.ResetCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A stream's local end on a TCP socket (the destination on a connector, an application's
 * connection on a client), on the same event loop as its session. The socket must be opened
 * with {@code ALLOW_HALF_CLOSURE} so that an EOF half-closes the stream instead of ending it.
 * Closes the socket once both directions are finished, or at once on a reset (with an RST,
 * so the application sees the stream fail rather than end).
 */
public final class ChannelStreamEnd extends ChannelInboundHandlerAdapter implements StreamEnd {

    /**
     * Reads of up to 256 KiB rather than Netty's 64 KiB: a bulk flow then costs a quarter of
     * the reads and session sends (the allocator shrinks again for a trickle).
     */
    static final AdaptiveRecvByteBufAllocator LARGE_READS = new AdaptiveRecvByteBufAllocator(64, 16 * 1024, 256 * 1024);

    private final Channel channel;
    private SessionHandler session;
    private int streamId;
    private boolean inputDone;
    private boolean outputDone;
    private boolean closed;
    private Consumer<String> onClose = reason -> { };
    private long bytesIn;
    private long bytesOut;
    /** What to call once the bytes of {@link #writeWithoutFlush} since the last flush are written. */
    private final List<Runnable> unflushedCallbacks = new ArrayList<>();

    /** Binds a connected socket; attach with {@link #attach} once the stream exists. */
    public ChannelStreamEnd(Channel channel) {
        this.channel = channel;
        channel.config().setAutoRead(false);
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        channel.config().setRecvByteBufAllocator(LARGE_READS);
    }

    /**
     * Starts reading for {@code streamId} of {@code session} (call on the session's event loop,
     * which must also be this socket's); {@code onClose} hears the reason when the end closes.
     */
    public void attach(SessionHandler session, int streamId, Consumer<String> onClose) {
        this.session = session;
        this.streamId = streamId;
        this.onClose = onClose;
        channel.pipeline().addLast(this);
        channel.config().setAutoRead(true);
    }

    /** Bytes from the application or destination (toward the peer). */
    public long bytesIn() {
        return bytesIn;
    }

    /** Bytes toward the application or destination (from the peer). */
    public long bytesOut() {
        return bytesOut;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf data = (ByteBuf) msg;
        bytesIn += data.readableBytes();
        session.fromLocal(streamId, data);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            inputDone = true;
            session.localFinished(streamId);
            closeIfDone("finished");
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!closed) {
            closed = true;
            session.localFailed(streamId, ResetCode.CANCELLED, "the local connection closed");
            onClose.accept(inputDone && outputDone ? "finished" : "local connection closed");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!closed) {
            closed = true;
            session.localFailed(streamId, ResetCode.DESTINATION_ERROR, cause.getMessage() == null
                    ? cause.getClass().getSimpleName() : cause.getMessage());
            onClose.accept("local error: " + cause.getClass().getSimpleName());
        }
        ctx.close();
    }

    // ---- StreamEnd ----------------------------------------------------------------------------

    @Override
    public void write(ByteBuf data, Runnable written) {
        int n = data.readableBytes();
        bytesOut += n;
        channel.writeAndFlush(data).addListener(future -> {
            if (future.isSuccess()) {
                written.run();
            }
        });
    }

    @Override
    public void writeWithoutFlush(ByteBuf data, Runnable written) {
        bytesOut += data.readableBytes();
        // No promise per frame: a failed write reaches exceptionCaught, and the credit of the
        // whole batch waits on one marker written after it (see flush).
        channel.write(data, channel.voidPromise());
        unflushedCallbacks.add(written);
    }

    @Override
    public void flush() {
        if (unflushedCallbacks.isEmpty()) {
            channel.flush();
            return;
        }
        List<Runnable> batch = List.copyOf(unflushedCallbacks);
        unflushedCallbacks.clear();
        // The outbound buffer completes writes in order: once this empty marker is done, every
        // byte before it has left for the socket.
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(future -> {
            if (future.isSuccess()) {
                batch.forEach(Runnable::run);
            }
        });
    }

    @Override
    public void shutdownOutput() {
        outputDone = true;
        channel.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(f -> {
            if (channel instanceof DuplexChannel duplex && channel.isActive()) {
                duplex.shutdownOutput().addListener(done -> closeIfDone("finished"));
            } else {
                closeIfDone("finished");
            }
        });
    }

    @Override
    public void close(ResetCode code, String message) {
        if (closed) {
            return;
        }
        closed = true;
        onClose.accept(code == ResetCode.NORMAL ? "finished" : code + ": " + message);
        if (channel.isActive()) {
            channel.config().setOption(ChannelOption.SO_LINGER, 0); // an RST: the stream failed
        }
        channel.close();
    }

    @Override
    public void pauseReading() {
        channel.config().setAutoRead(false);
    }

    @Override
    public void resumeReading() {
        if (!inputDone) {
            channel.config().setAutoRead(true);
        }
    }

    private void closeIfDone(String reason) {
        if (inputDone && outputDone && !closed) {
            closed = true;
            onClose.accept(reason);
            channel.close().addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }
}
