package dev.zerogate.edge;

import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;

import javax.net.ssl.SSLException;
import java.net.URI;

/**
 * gRPC channels to the deployment's services: TLS with {@link TrustMaterial} for
 * {@code https://}, plaintext HTTP/2 for an {@code http://} URL the {@link UrlPolicy} allowed.
 */
public final class GrpcChannels {

    private GrpcChannels() {
    }

    /** A channel to {@code url}, which the caller has checked with its {@link UrlPolicy}. */
    public static ManagedChannel open(URI url, TrustMaterial trust) {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(UrlPolicy.host(url), UrlPolicy.port(url));
        if (!UrlPolicy.tls(url)) {
            return builder.usePlaintext().build();
        }
        try {
            return builder.sslContext(GrpcSslContexts.forClient().trustManager(trust.trustManager()).build()).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot make a TLS context for " + url, e);
        }
    }
}
