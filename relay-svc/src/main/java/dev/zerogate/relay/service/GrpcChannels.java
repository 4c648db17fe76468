package dev.zerogate.relay.service;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** gRPC channels to the control plane from a URL: http is plaintext (loopback, tests), https is TLS with the system's and the deployment's CAs. */
public final class GrpcChannels {

    /** A channel to {@code url}; https is checked against {@code trust} (the system's CAs and the deployment's). */
    public static ManagedChannel forUrl(String url, ControlPlaneTrust trust) {
        URI uri = URI.create(url);
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        ChannelCredentials credentials = tls
                ? TlsChannelCredentials.newBuilder().trustManager(trust.trustManager()).build()
                : InsecureChannelCredentials.create();
        return Grpc.newChannelBuilderForAddress(uri.getHost(), port, credentials).build();
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
