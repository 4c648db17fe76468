package dev.zerogate.testkit;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Talks to a running service the way an outside gRPC client would: a real channel over
 * loopback, the standard {@code grpc.health.v1} and {@code grpc.reflection.v1} services.
 */
public final class GrpcProbe implements AutoCloseable {

    private static final long DEADLINE_SECONDS = 10;

    private final ManagedChannel channel;

    private GrpcProbe(ManagedChannel channel) {
        this.channel = channel;
    }

    /** A plaintext (h2c) channel to 127.0.0.1:port. */
    public static GrpcProbe connect(int port) {
        return new GrpcProbe(ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
    }

    /**
     * A TLS channel to {@code address:port} that checks the server's certificate for
     * {@code serverName} against the CA in {@code caFile} (no name resolution: a lab's names
     * exist only in its namespaces' hosts files).
     */
    public static GrpcProbe connectTls(String address, int port, String serverName, java.nio.file.Path caFile) {
        try {
            io.grpc.ChannelCredentials tls = io.grpc.TlsChannelCredentials.newBuilder().trustManager(caFile.toFile()).build();
            return new GrpcProbe(io.grpc.Grpc.newChannelBuilderForAddress(address, port, tls).overrideAuthority(serverName).build());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + caFile, e);
        }
    }

    public ManagedChannel channel() {
        return channel;
    }

    /** The serving status of {@code service} ("" asks about the server as a whole). */
    public HealthCheckResponse.ServingStatus health(String service) {
        return HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build())
                .getStatus();
    }

    /** The fully qualified names of every service the server lists through reflection. */
    public List<String> listServices() throws InterruptedException, ExecutionException, TimeoutException {
        CompletableFuture<List<String>> names = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        if (response.hasErrorResponse()) {
                            names.completeExceptionally(new IllegalStateException(
                                    "reflection error " + response.getErrorResponse().getErrorMessage()));
                        } else {
                            names.complete(response.getListServicesResponse().getServiceList().stream()
                                    .map(ServiceResponse::getName).sorted().toList());
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        names.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        names.completeExceptionally(new IllegalStateException("reflection stream ended without an answer"));
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
        try {
            return names.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
        } finally {
            requests.onCompleted();
        }
    }

    /** {@code stub} sending {@code authorization: Bearer <token>} with every call. */
    public static <S extends io.grpc.stub.AbstractStub<S>> S withBearer(S stub, String token) {
        io.grpc.Metadata headers = new io.grpc.Metadata();
        headers.put(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return stub.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
