package dev.zerogate.policy.grpc;

import dev.zerogate.policy.caller.Callers;

/** The current gRPC call as {@link Callers} reads it, from what {@link CallContextInterceptor} put in the context. */
final class GrpcCalls {

    private GrpcCalls() {}

    /** Read it before the first asynchronous step: the gRPC context does not follow it. */
    static Callers.Call current() {
        return new Callers.Call(CallContextInterceptor.BEARER_TOKEN.get(), CallContextInterceptor.PEER_ADDRESS.get(),
                CallContextInterceptor.REQUEST_ID.get());
    }
}
