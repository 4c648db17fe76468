package dev.zerogate.connector.policy;

import dev.zerogate.proto.policy.v1.PolicyEvent;
import dev.zerogate.proto.policy.v1.PolicyStreamServiceGrpc;
import dev.zerogate.proto.policy.v1.WatchPolicyRequest;
import dev.zerogate.proto.policy.v1.WatchPolicyResponse;
import dev.zerogate.testkit.FreePorts;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real gRPC server on loopback serving PolicyStreamService.WatchPolicy as the test scripts it:
 * each call is handed to the test ({@link #nextCall}), which sends events and ends it.
 */
final class ScriptedPolicyServer implements AutoCloseable {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> BEARER = Context.key("authorization");

    /** One WatchPolicy call, as the server sees it. */
    static final class Call {
        final WatchPolicyRequest request;
        final String authorization;
        final long arrivedNanos = System.nanoTime();
        private final ServerCallStreamObserver<WatchPolicyResponse> responses;
        private final CountDownLatch cancelled = new CountDownLatch(1);

        Call(WatchPolicyRequest request, String authorization, ServerCallStreamObserver<WatchPolicyResponse> responses) {
            this.request = request;
            this.authorization = authorization;
            this.responses = responses;
            responses.setOnCancelHandler(cancelled::countDown);
        }

        void send(List<PolicyEvent> events) {
            events.forEach(this::send);
        }

        synchronized void send(PolicyEvent event) {
            responses.onNext(WatchPolicyResponse.newBuilder().setEvent(event).build());
        }

        synchronized void fail(Status status) {
            responses.onError(status.asRuntimeException());
        }

        synchronized void complete() {
            responses.onCompleted();
        }

        /** Whether the client cancelled the call within 5 s. */
        boolean cancelledByClient() throws InterruptedException {
            return cancelled.await(5, TimeUnit.SECONDS);
        }
    }

    private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
    /** Sent at once on every call that asks for a snapshot, when set: no wait for the test thread. */
    private volatile List<PolicyEvent> snapshotForEveryone;
    private final Server server;
    final int port = FreePorts.loopback();

    ScriptedPolicyServer() {
        PolicyStreamServiceGrpc.PolicyStreamServiceImplBase service = new PolicyStreamServiceGrpc.PolicyStreamServiceImplBase() {
            @Override
            public void watchPolicy(WatchPolicyRequest request, StreamObserver<WatchPolicyResponse> responses) {
                Call call = new Call(request, BEARER.get(), (ServerCallStreamObserver<WatchPolicyResponse>) responses);
                List<PolicyEvent> snapshot = snapshotForEveryone;
                if (snapshot != null && request.getResumeAfterSequence() == 0) {
                    call.send(snapshot);
                }
                calls.add(call);
            }
        };
        ServerInterceptor bearer = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                return Contexts.interceptCall(Context.current().withValue(BEARER, headers.get(AUTHORIZATION)), call, headers, next);
            }
        };
        try {
            server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                    .addService(ServerInterceptors.intercept(service, bearer)).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answers every call asking for a snapshot with these events, as soon as it arrives. */
    void answerSnapshotCallsWith(List<PolicyEvent> snapshot) {
        snapshotForEveryone = List.copyOf(snapshot);
    }

    /** The next call the client makes, within {@code seconds}. */
    Call nextCall(long seconds) throws InterruptedException {
        Call call = calls.poll(seconds, TimeUnit.SECONDS);
        if (call == null) {
            fail("no WatchPolicy call within " + seconds + " s");
        }
        return call;
    }

    Call nextCall() throws InterruptedException {
        return nextCall(5);
    }

    /** Whether the client makes no call within {@code millis}. */
    boolean noCallWithin(long millis) throws InterruptedException {
        return calls.poll(millis, TimeUnit.MILLISECONDS) == null;
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
