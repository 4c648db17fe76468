package dev.zerogate.client.policy;

import dev.zerogate.edge.GrpcChannels;
import dev.zerogate.edge.TrustMaterial;
import dev.zerogate.proto.policy.v1.AuditServiceGrpc;
import dev.zerogate.proto.policy.v1.AuthorizationServiceGrpc;
import dev.zerogate.proto.policy.v1.PolicyAdminServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A gRPC channel to policy-svc at its URL ({@link PolicyEndpoint}), every call carrying
 * {@code authorization: Bearer <access token>}, the token asked for at each call (a running
 * tunnel's changes as it is refreshed). Each unary call gets its own 30 s deadline
 * (a deadline set once on a stub would be shared by every page of a listing); server streams
 * (the audit export) have none, since the server ends them.
 */
public final class PolicyChannel implements AutoCloseable {

    public static final long UNARY_DEADLINE_SECONDS = 30;

    private final ManagedChannel managed;
    private final Channel channel;
    private final String url;

    /** A channel to {@code url}, which {@link PolicyEndpoint} checked against the URL policy. */
    PolicyChannel(String url, Supplier<String> accessToken, TrustMaterial trust) {
        this.url = url;
        managed = GrpcChannels.open(URI.create(url), trust);
        channel = ClientInterceptors.intercept(managed, new BearerToken(accessToken), new UnaryDeadline());
    }

    /** The URL this channel talks to, for messages. */
    public String url() {
        return url;
    }

    public PolicyAdminServiceGrpc.PolicyAdminServiceBlockingStub admin() {
        return PolicyAdminServiceGrpc.newBlockingStub(channel);
    }

    public AuthorizationServiceGrpc.AuthorizationServiceBlockingStub authorization() {
        return AuthorizationServiceGrpc.newBlockingStub(channel);
    }

    public AuditServiceGrpc.AuditServiceBlockingStub audit() {
        return AuditServiceGrpc.newBlockingStub(channel);
    }

    @Override
    public void close() throws InterruptedException {
        managed.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** {@code authorization: Bearer <token>} on every call, the token current at the call's start. */
    private static final class BearerToken implements ClientInterceptor {
        private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
        private final Supplier<String> token;

        BearerToken(Supplier<String> token) {
            this.token = token;
        }

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    headers.put(AUTHORIZATION, "Bearer " + token.get());
                    super.start(listener, headers);
                }
            };
        }
    }

    /** A deadline per unary call, unless the caller set one. */
    private static final class UnaryDeadline implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            boolean unary = method.getType() == MethodDescriptor.MethodType.UNARY;
            return next.newCall(method, unary && options.getDeadline() == null
                    ? options.withDeadlineAfter(UNARY_DEADLINE_SECONDS, TimeUnit.SECONDS) : options);
        }
    }
}
