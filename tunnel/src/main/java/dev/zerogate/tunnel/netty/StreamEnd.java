package dev.zerogate.tunnel.netty;

import dev.zerogate.proto.tunnel.v1.StreamOpened;
import dev.zerogate.proto.tunnel.v1.StreamRefused;
import dev.zerogate.tunnel.ResetCode;
import io.netty.buffer.ByteBuf;

/**
 * The local side of one stream: the destination socket on a connector, the application's
 * socket or stdio on a client. {@link SessionHandler} calls it on the session's event loop.
 */
public interface StreamEnd {

    /** Bytes from the peer. Call {@code written} once they left this end's buffers; release the buffer. */
    void write(ByteBuf data, Runnable written);

    /**
     * As {@link #write}, but the bytes may wait for {@link #flush}, which the session calls before
     * its event-loop turn ends: one system call for all the frames a read brought, not one each.
     */
    default void writeWithoutFlush(ByteBuf data, Runnable written) {
        write(data, written);
    }

    /** Pushes out what {@link #writeWithoutFlush} left waiting. */
    default void flush() {
    }

    /** The peer sends no more bytes: half-close the local side's output. */
    void shutdownOutput();

    /** The stream is gone (reset by either side, refused, or the session ended): close now. */
    void close(ResetCode code, String message);

    /** Stop reading from the local side until {@link #resumeReading}: the stream's window is full. */
    void pauseReading();

    void resumeReading();

    /** Client side: the connector dialled the destination. */
    default void opened(StreamOpened opened) {
    }

    /** Client side: the connector refused; {@link #close} follows. */
    default void refused(StreamRefused refused) {
    }
}
