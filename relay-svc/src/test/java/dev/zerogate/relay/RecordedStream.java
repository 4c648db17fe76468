package dev.zerogate.relay;

import dev.zerogate.proto.relay.v1.RelayMessage;
import io.grpc.stub.StreamObserver;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What the relay sent on one connector's control stream, in order: each message, then the
 * error (a Throwable) or the word "completed" that ended the stream.
 */
public final class RecordedStream implements StreamObserver<RelayMessage> {

    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();

    @Override
    public void onNext(RelayMessage value) {
        received.add(value);
    }

    @Override
    public void onError(Throwable t) {
        received.add(t);
    }

    @Override
    public void onCompleted() {
        received.add("completed");
    }

    /** The next thing received, waiting up to {@code timeout}; null if nothing came. */
    public Object poll(long timeout, TimeUnit unit) throws InterruptedException {
        return received.poll(timeout, unit);
    }

    /** Everything received and not polled yet, in order. */
    public List<Object> all() {
        return List.copyOf(received);
    }
}
