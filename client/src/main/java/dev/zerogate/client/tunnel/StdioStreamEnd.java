package dev.zerogate.client.tunnel;

import dev.zerogate.proto.tunnel.v1.StreamRefused;
import dev.zerogate.tunnel.ResetCode;
import dev.zerogate.tunnel.netty.SessionHandler;
import dev.zerogate.tunnel.netty.StreamEnd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A stream's local end on standard input and output (for {@code zerogate connect}, e.g. as an
 * SSH ProxyCommand). A reader thread feeds stdin to the session and waits while the stream's
 * window is full; a writer thread writes to stdout and only then returns credit, so a slow
 * consumer holds the sender back instead of filling memory. EOF on stdin half-closes the stream;
 * the peer's FIN closes stdout.
 */
final class StdioStreamEnd implements StreamEnd {

    private static final int CHUNK = 64 * 1024;

    private final InputStream in;
    private final OutputStream out;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "stdout");
        thread.setDaemon(true);
        return thread;
    });
    private final CompletableFuture<String> done = new CompletableFuture<>();
    private final Object gate = new Object();
    private boolean paused;
    private volatile SessionHandler session;
    private volatile int streamId;
    private volatile boolean inputDone;
    private volatile boolean outputDone;
    private volatile String refusal;

    StdioStreamEnd(InputStream in, OutputStream out) {
        this.in = in;
        this.out = out;
    }

    /** Completes with null when both directions finished, or with the reason the stream failed. */
    CompletableFuture<String> done() {
        return done;
    }

    /** Starts pumping stdin into stream {@code streamId} of {@code session}. */
    void start(SessionHandler session, int streamId) {
        this.session = session;
        this.streamId = streamId;
        Thread reader = new Thread(this::pumpStdin, "stdin");
        reader.setDaemon(true);
        reader.start();
    }

    private void pumpStdin() {
        byte[] buffer = new byte[CHUNK];
        try {
            while (!done.isDone()) {
                synchronized (gate) {
                    while (paused && !done.isDone()) {
                        gate.wait();
                    }
                }
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                ByteBuf chunk = Unpooled.copiedBuffer(buffer, 0, n);
                if (!onSessionLoop(() -> session.fromLocal(streamId, chunk))) {
                    chunk.release();
                    return;
                }
            }
            inputDone = true;
            onSessionLoop(() -> session.localFinished(streamId));
            finishIfDone();
        } catch (IOException e) {
            onSessionLoop(() -> session.localFailed(streamId, ResetCode.CANCELLED, "stdin failed"));
            done.complete("stdin failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs {@code task} on the session's event loop; false when the loop is gone. Once the
     * flow has ended (the policy cut it, the peer reset it) the command stops the loops while
     * this end's threads may still be reading stdin: what they have is no longer wanted.
     */
    private boolean onSessionLoop(Runnable task) {
        try {
            session.eventLoop().execute(task);
            return true;
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.complete("the flow ended");
            return false;
        }
    }

    @Override
    public void write(ByteBuf data, Runnable written) {
        byte[] bytes = new byte[data.readableBytes()];
        data.readBytes(bytes);
        data.release();
        SessionHandler current = session;
        writer.execute(() -> {
            try {
                out.write(bytes);
                out.flush();
                onSessionLoop(written);
            } catch (IOException e) {
                onSessionLoop(() -> current.localFailed(streamId, ResetCode.CANCELLED, "stdout closed"));
                done.complete("stdout closed");
            }
        });
    }

    @Override
    public void shutdownOutput() {
        writer.execute(() -> {
            try {
                out.flush();
                out.close();
            } catch (IOException ignored) {
                // nobody reads any more
            }
            outputDone = true;
            finishIfDone();
        });
    }

    private void finishIfDone() {
        if (inputDone && outputDone) {
            done.complete(null);
        }
    }

    @Override
    public void close(ResetCode code, String message) {
        writer.execute(() -> done.complete(refusal != null ? refusal
                : code == ResetCode.NORMAL ? null : "the flow ended: " + message));
        resumeReading();
    }

    @Override
    public void pauseReading() {
        synchronized (gate) {
            paused = true;
        }
    }

    @Override
    public void resumeReading() {
        synchronized (gate) {
            paused = false;
            gate.notifyAll();
        }
    }

    @Override
    public void refused(StreamRefused refused) {
        refusal = "the connector refused: " + refused.getMessage();
    }
}
