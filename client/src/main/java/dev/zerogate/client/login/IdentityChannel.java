package dev.zerogate.client.login;

import dev.zerogate.edge.GrpcChannels;
import dev.zerogate.edge.UrlPolicy;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;

import java.util.concurrent.TimeUnit;

/** A gRPC channel to identity-svc at its URL (gRPC shares the HTTP port), with the caller's token. */
final class IdentityChannel implements AutoCloseable {

    private final ManagedChannel channel;

    /** @throws UrlPolicy.RefusedUrlException before anything is sent, when {@code server} would carry tokens in clear */
    IdentityChannel(String server, ClientAccess access) {
        channel = GrpcChannels.open(access.urls().check(server, "identity-svc's URL"), access.trust());
    }

    ManagedChannel channel() {
        return channel;
    }

    /** {@code stub} sending {@code authorization: Bearer <accessToken>}, with a 30 s deadline. */
    static <S extends AbstractStub<S>> S authorized(S stub, String accessToken) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + accessToken);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
