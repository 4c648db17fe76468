package dev.zerogate.policy.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Puts what a handler needs to know about the call (the bearer token as sent, the peer's
 * address, the request id) in the gRPC context. Verifying the token is the handler's job
 * ({@code Callers}), because it may need to fetch identity-svc's keys, which an interceptor
 * must not block on.
 */
@GlobalInterceptor
@ApplicationScoped
public class CallContextInterceptor implements ServerInterceptor {

    static final Context.Key<String> BEARER_TOKEN = Context.key("zerogate-bearer-token");
    static final Context.Key<String> PEER_ADDRESS = Context.key("zerogate-peer-address");
    static final Context.Key<String> REQUEST_ID = Context.key("zerogate-request-id");
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> X_REQUEST_ID = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "Bearer ";
    private static final int MAX_REQUEST_ID = 128;

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String authorization = headers.get(AUTHORIZATION);
        String token = authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
                ? authorization.substring(BEARER.length()).strip() : "";
        SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        String address = peer instanceof InetSocketAddress inet && inet.getAddress() != null ? inet.getAddress().getHostAddress() : "";
        String requestId = headers.get(X_REQUEST_ID);
        requestId = requestId == null ? "" : requestId.length() > MAX_REQUEST_ID ? requestId.substring(0, MAX_REQUEST_ID) : requestId;
        Context context = Context.current().withValues(BEARER_TOKEN, token, PEER_ADDRESS, address, REQUEST_ID, requestId);
        return Contexts.interceptCall(context, call, headers, next);
    }
}
