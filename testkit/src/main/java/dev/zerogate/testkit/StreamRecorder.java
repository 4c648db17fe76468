package dev.zerogate.testkit;

import io.grpc.stub.StreamObserver;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

/**
 * Records what a server-streaming call delivers, for a test to take in order: each message (as
 * {@code extract} maps it), then how the stream ended — the error ({@link Throwable}, usually a
 * {@code StatusRuntimeException}) or {@link #COMPLETED}.
 */
public final class StreamRecorder<T> implements StreamObserver<T> {

    /** Put in the queue when the server ends the stream with OK. */
    public static final String COMPLETED = "completed";

    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final Function<T, ?> extract;

    public StreamRecorder(Function<T, ?> extract) {
        this.extract = extract;
    }

    /** Messages and the end of the stream, in arrival order. */
    public BlockingQueue<Object> received() {
        return received;
    }

    @Override
    public void onNext(T value) {
        received.add(extract.apply(value));
    }

    @Override
    public void onError(Throwable failure) {
        received.add(failure);
    }

    @Override
    public void onCompleted() {
        received.add(COMPLETED);
    }
}
