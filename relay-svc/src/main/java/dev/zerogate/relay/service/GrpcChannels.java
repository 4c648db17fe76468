package dev.zerogate.relay.service;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** gRPC channels to the control plane from a URL: http is plaintext (loopback, tests), https is TLS. */
public final class GrpcChannels {

    public static ManagedChannel forUrl(String url) {
        URI uri = URI.create(url);
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        ManagedChannelBuilder<?> builder = ManagedChannelBuilder.forAddress(uri.getHost(), port);
        return (tls ? builder.useTransportSecurity() : builder.usePlaintext()).build();
    }

    public static <T> CompletionStage<T> toStage(ListenableFuture<T> future) {
        CompletableFuture<T> stage = new CompletableFuture<>();
        Futures.addCallback(future, new FutureCallback<>() {
            @Override
            public void onSuccess(T result) {
                stage.complete(result);
            }

            @Override
            public void onFailure(Throwable t) {
                stage.completeExceptionally(t);
            }
        }, MoreExecutors.directExecutor());
        return stage;
    }

    private GrpcChannels() {
    }
}
