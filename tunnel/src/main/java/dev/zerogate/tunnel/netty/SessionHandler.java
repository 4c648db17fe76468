package dev.zerogate.tunnel.netty;

import dev.zerogate.proto.tunnel.v1.OpenStream;
import dev.zerogate.proto.tunnel.v1.StreamOpened;
import dev.zerogate.proto.tunnel.v1.StreamRefuseReason;
import dev.zerogate.proto.tunnel.v1.StreamRefused;
import dev.zerogate.tunnel.FrameEncoder;
import dev.zerogate.tunnel.ResetCode;
import dev.zerogate.tunnel.Session;
import dev.zerogate.tunnel.TunnelProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Netty adapter of a {@link Session}: sits after the TLS handler of an end-to-end session
 * and binds each stream to a {@link StreamEnd}. Everything runs on the channel's event loop;
 * public methods called from elsewhere hop onto it.
 *
 * <p>Backpressure: bytes from a local end go out only as far as the stream's window allows
 * (the rest waits and the end is paused); bytes for a local end are credited back to the
 * peer only once the end has written them; and while the session's own connection is not
 * writable, every local end is paused.
 */
public final class SessionHandler extends ChannelInboundHandlerAdapter implements Session.Output, Session.Listener {

    /** What the owner of the session decides. */
    public interface Owner {
        /** Connector side: a flow is asked for. Answer later with {@link #accept} or {@link #refuse}. */
        default void onOpenRequested(SessionHandler session, int streamId, OpenStream request) {
            session.refuse(streamId, StreamRefuseReason.STREAM_REFUSE_REASON_INTERNAL, "this end accepts no streams");
        }

        /** The session ended. */
        default void onSessionClosed(SessionHandler session, ResetCode code, String message, boolean byPeer) {
        }
    }

    /** A stream's local end and what waits on either side of it. */
    private static final class Binding {
        StreamEnd end;
        /** Peer bytes that arrived before the end was attached (bounded by the window). */
        CompositeByteBuf early;
        /** Local bytes the window did not take yet. */
        ByteBuf waiting;
        boolean finAfterWaiting;
        boolean earlyFin;
        /** DATA was written to the end in this read and waits for the read's end to be flushed. */
        boolean unflushed;
    }

    private final Session.Role role;
    private final Owner owner;
    private final Map<Integer, Binding> bindings = new HashMap<>();
    private ChannelHandlerContext ctx;
    private Session session;
    private ScheduledFuture<?> ticker;
    private boolean flushScheduled;
    private boolean retiring;
    private final List<Binding> unflushed = new ArrayList<>();
    /** The liveness probe waiting for any frame from the peer, if one is out (event loop). */
    private CompletableFuture<Boolean> probe;
    /**
     * Wall-clock time of the last read. The session's own clock is monotonic, which stops
     * while the machine sleeps: after an hour of sleep it says "silent for a second", the wall
     * clock says an hour (event loop).
     */
    private long lastReadWallMillis = System.currentTimeMillis();

    public SessionHandler(Session.Role role, Owner owner) {
        this.role = role;
        this.owner = owner;
    }

    public EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    public io.netty.channel.Channel channel() {
        return ctx.channel();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.session = new Session(role, this, this, System::nanoTime);
        this.ticker = ctx.executor().scheduleAtFixedRate(() -> session.tick(), 5, 5, TimeUnit.SECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        try {
            for (ByteBuffer part : buf.nioBuffers()) {
                session.receive(part);
            }
        } finally {
            buf.release();
        }
        lastReadWallMillis = System.currentTimeMillis();
        if (probe != null) {
            CompletableFuture<Boolean> answered = probe;
            probe = null;
            answered.complete(true);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushEnds();
        flushNow();
    }

    /** The stream ends that DATA of this read went to: their bytes go out now, one write each. */
    private void flushEnds() {
        for (Binding binding : unflushed) {
            binding.unflushed = false;
            if (binding.end != null) {
                binding.end.flush();
            }
        }
        unflushed.clear();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ticker.cancel(false);
        session.connectionLost("the connection closed");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        session.connectionLost(cause.getClass().getSimpleName());
        ctx.close();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        for (Binding binding : bindings.values()) {
            if (binding.end != null && binding.waiting == null) {
                if (writable) {
                    binding.end.resumeReading();
                } else {
                    binding.end.pauseReading();
                }
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    // ---- owner API (event loop) ----------------------------------------------------------

    /** Client side: opens a stream for {@code end}; its bytes may follow at once. Returns the stream id. */
    public int open(OpenStream request, StreamEnd end) {
        assert eventLoop().inEventLoop();
        int id = session.open(request);
        Binding binding = new Binding();
        binding.end = end;
        bindings.put(id, binding);
        flushSoon();
        return id;
    }

    public boolean isOpen() {
        return session != null && !session.isClosed();
    }

    public boolean isFull() {
        return session.isFull();
    }

    /** Connector side: the destination is dialled; {@code end} carries the stream from now on. */
    public void accept(int streamId, StreamOpened opened, StreamEnd end) {
        Binding binding = bindings.get(streamId);
        if (binding == null || session.sendWindow(streamId) < 0) {
            end.close(ResetCode.CANCELLED, "the client gave up on the flow");
            return;
        }
        binding.end = end;
        session.accept(streamId, opened);
        if (binding.early != null) {
            CompositeByteBuf early = binding.early;
            binding.early = null;
            int n = early.readableBytes();
            end.write(early, () -> consumed(streamId, n));
        }
        if (binding.earlyFin) {
            end.shutdownOutput();
        }
        flushSoon();
    }

    /** Connector side: refuses the flow with its reason and a human message. */
    public void refuse(int streamId, StreamRefuseReason reason, String message) {
        Binding binding = unbind(streamId);
        if (binding != null && binding.early != null) {
            binding.early.release();
        }
        session.refuse(streamId, reason, message);
        flushSoon();
    }

    /** Resets a stream, telling the peer why (e.g. access revoked). */
    public void reset(int streamId, ResetCode code, String message) {
        Binding binding = unbind(streamId);
        session.reset(streamId, code, message);
        flushSoon();
        if (binding != null) {
            release(binding);
            if (binding.end != null) {
                binding.end.close(code, message);
            }
        }
    }

    /**
     * The owner opens no more streams here (the session is full, or replaced): the session ends
     * normally once its last stream has, or at once if it has none.
     */
    public void retireWhenIdle() {
        assert eventLoop().inEventLoop();
        retiring = true;
        closeIfRetiredAndIdle();
    }

    /** How long the peer has been silent, in milliseconds, by the monotonic or the wall clock, whichever says longer (event loop). */
    public long silentMillis() {
        return Math.max(TimeUnit.NANOSECONDS.toMillis(session.silentNanos()), System.currentTimeMillis() - lastReadWallMillis);
    }

    /** Whether a liveness probe is waiting for its answer (event loop). */
    public boolean isProbing() {
        return probe != null;
    }

    /** Streams open in the session (event loop). */
    public int streamCount() {
        return bindings.size();
    }

    /**
     * Asks the peer for a sign of life: PING, then true as soon as any frame arrives, or false
     * after {@code timeoutMillis} without one, the session then closed as dead. A session
     * whose path died (a laptop that slept, an address that is gone) would otherwise look open
     * until {@link TunnelProtocol#DEAD_AFTER_SECONDS}, and every stream opened in it meanwhile
     * would hang. Concurrent callers share one probe. Event loop only.
     */
    public CompletableFuture<Boolean> verifyAlive(long timeoutMillis) {
        assert eventLoop().inEventLoop();
        if (!isOpen()) {
            return CompletableFuture.completedFuture(false);
        }
        if (probe != null) {
            return probe;
        }
        CompletableFuture<Boolean> sent = new CompletableFuture<>();
        probe = sent;
        session.probe();
        flushSoon();
        ctx.executor().schedule(() -> {
            if (probe == sent) {
                probe = null;
                session.goAway(ResetCode.IDLE, "no answer to a liveness probe within " + timeoutMillis + " ms");
                sent.complete(false);
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        return sent;
    }

    /** Ends the session (GOAWAY) and every stream in it. */
    public void close(ResetCode code, String message) {
        session.goAway(code, message);
    }

    // ---- calls from local ends (event loop) ---------------------------------------------

    /** Bytes read from the local end; takes ownership of {@code data}. */
    public void fromLocal(int streamId, ByteBuf data) {
        Binding binding = bindings.get(streamId);
        if (binding == null) {
            data.release();
            return;
        }
        if (binding.waiting != null) {
            binding.waiting = ctx.alloc().compositeBuffer().addComponents(true, binding.waiting, data);
            binding.end.pauseReading();
            return;
        }
        sendOrWait(streamId, binding, data);
    }

    private void sendOrWait(int streamId, Binding binding, ByteBuf data) {
        ByteBuffer view = data.nioBufferCount() == 1 ? data.nioBuffer() : ByteBuffer.wrap(copy(data));
        int taken = session.send(streamId, view);
        if (taken < 0) {
            data.release();
            return;
        }
        data.skipBytes(taken);
        flushSoon();
        if (data.isReadable()) {
            binding.waiting = data;
            binding.end.pauseReading();
        } else {
            data.release();
            if (binding.finAfterWaiting) {
                binding.finAfterWaiting = false;
                session.finish(streamId);
            }
        }
    }

    /** The local end will send nothing more (EOF): FIN once everything waiting is sent. */
    public void localFinished(int streamId) {
        Binding binding = bindings.get(streamId);
        if (binding == null) {
            return;
        }
        if (binding.waiting != null) {
            binding.finAfterWaiting = true;
        } else {
            session.finish(streamId);
            flushSoon();
            dropIfDone(streamId);
        }
    }

    /** The local end failed: reset the stream. */
    public void localFailed(int streamId, ResetCode code, String message) {
        Binding binding = unbind(streamId);
        if (binding != null) {
            release(binding);
            session.reset(streamId, code, message);
            flushSoon();
        }
    }

    private void consumed(int streamId, int bytes) {
        session.consumed(streamId, bytes);
        flushSoon();
    }

    // ---- Session.Output -------------------------------------------------------------------

    @Override
    public void frame(int type, int streamId, ByteBuffer payload) {
        ByteBuf out = ctx.alloc().buffer(TunnelProtocol.FRAME_HEADER_BYTES + payload.remaining());
        ByteBuffer header = ByteBuffer.allocate(TunnelProtocol.FRAME_HEADER_BYTES);
        FrameEncoder.writeHeader(header, type, streamId, payload.remaining());
        out.writeBytes(header.flip()).writeBytes(payload.duplicate());
        ctx.write(out, ctx.voidPromise());
    }

    @Override
    public void close() {
        ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(f -> ctx.close());
    }

    // ---- Session.Listener -------------------------------------------------------------------

    @Override
    public void onOpenRequested(int streamId, OpenStream request) {
        bindings.put(streamId, new Binding());
        owner.onOpenRequested(this, streamId, request);
    }

    @Override
    public void onOpened(int streamId, StreamOpened opened) {
        Binding binding = bindings.get(streamId);
        if (binding != null) {
            binding.end.opened(opened);
        }
    }

    @Override
    public void onRefused(int streamId, StreamRefused refused) {
        Binding binding = unbind(streamId);
        if (binding != null) {
            release(binding);
            binding.end.refused(refused);
            binding.end.close(ResetCode.CANCELLED, refused.getMessage());
        }
    }

    @Override
    public void onData(int streamId, ByteBuffer data) {
        Binding binding = bindings.get(streamId);
        if (binding == null) {
            return;
        }
        int n = data.remaining();
        ByteBuf copy = ctx.alloc().buffer(n).writeBytes(data);
        if (binding.end == null) {
            if (binding.early == null) {
                binding.early = ctx.alloc().compositeBuffer(1024);
            }
            binding.early.addComponent(true, copy);
            return;
        }
        // Only reached from channelRead: channelReadComplete flushes every end written to.
        binding.end.writeWithoutFlush(copy, () -> consumed(streamId, n));
        if (!binding.unflushed) {
            binding.unflushed = true;
            unflushed.add(binding);
        }
    }

    @Override
    public void onFin(int streamId) {
        Binding binding = bindings.get(streamId);
        if (binding == null) {
            return;
        }
        if (binding.end == null) {
            binding.earlyFin = true;
        } else {
            binding.end.shutdownOutput();
        }
        dropIfDone(streamId);
    }

    @Override
    public void onReset(int streamId, ResetCode code, String message) {
        Binding binding = unbind(streamId);
        if (binding != null) {
            release(binding);
            if (binding.end != null) {
                binding.end.close(code, message);
            }
        }
    }

    @Override
    public void onWritable(int streamId) {
        Binding binding = bindings.get(streamId);
        if (binding == null) {
            return;
        }
        if (binding.waiting != null) {
            ByteBuf waiting = binding.waiting;
            binding.waiting = null;
            sendOrWait(streamId, binding, waiting);
        }
        if (binding.waiting == null && binding.end != null && ctx.channel().isWritable()) {
            binding.end.resumeReading();
        }
        dropIfDone(streamId);
    }

    @Override
    public void onClosed(ResetCode code, String message, boolean byPeer) {
        ticker.cancel(false);
        if (probe != null) {
            CompletableFuture<Boolean> unanswered = probe;
            probe = null;
            unanswered.complete(false);
        }
        List<Binding> all = new ArrayList<>(bindings.values());
        bindings.clear();
        for (Binding binding : all) {
            release(binding);
            if (binding.end != null) {
                binding.end.close(code, message);
            }
        }
        owner.onSessionClosed(this, code, message, byPeer);
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Forgets a stream's binding; a retiring session with none left ends after this turn's frames. */
    private Binding unbind(int streamId) {
        Binding binding = bindings.remove(streamId);
        if (retiring && bindings.isEmpty()) {
            ctx.executor().execute(this::closeIfRetiredAndIdle);
        }
        return binding;
    }

    private void closeIfRetiredAndIdle() {
        if (retiring && bindings.isEmpty() && isOpen()) {
            close(ResetCode.NORMAL, "retired: no streams left");
        }
    }

    /** A stream whose both directions finished is gone from the session; forget its binding. */
    private void dropIfDone(int streamId) {
        if (session.sendWindow(streamId) < 0) {
            Binding binding = unbind(streamId);
            if (binding != null) {
                release(binding);
                // The end closes itself once both directions are shut (see ChannelStreamEnd).
            }
        }
    }

    private static void release(Binding binding) {
        if (binding.early != null) {
            binding.early.release();
            binding.early = null;
        }
        if (binding.waiting != null) {
            binding.waiting.release();
            binding.waiting = null;
        }
    }

    private static byte[] copy(ByteBuf data) {
        byte[] bytes = new byte[data.readableBytes()];
        data.getBytes(data.readerIndex(), bytes);
        return bytes;
    }

    private void flushSoon() {
        if (!flushScheduled) {
            flushScheduled = true;
            ctx.executor().execute(this::flushNow);
        }
    }

    private void flushNow() {
        flushScheduled = false;
        ctx.flush();
    }
}
