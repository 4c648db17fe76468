package dev.zerogate.relay.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Puts the call's bearer token (as sent) in the gRPC context. Verifying it is the handler's
 * job, because that may need identity-svc's keys, which an interceptor must not block on.
 */
@GlobalInterceptor
@ApplicationScoped
public class BearerInterceptor implements ServerInterceptor {

    static final Context.Key<String> BEARER_TOKEN = Context.key("zerogate-bearer-token");
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "Bearer ";

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String authorization = headers.get(AUTHORIZATION);
        String token = authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
                ? authorization.substring(BEARER.length()).strip() : "";
        return Contexts.interceptCall(Context.current().withValue(BEARER_TOKEN, token), call, headers, next);
    }
}
