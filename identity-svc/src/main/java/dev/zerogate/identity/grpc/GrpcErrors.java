package dev.zerogate.identity.grpc;

import dev.zerogate.identity.IdentityException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.logging.Log;

/** identity-svc's one mapping from domain failures to gRPC status; never a stack trace to clients. */
final class GrpcErrors {

    private GrpcErrors() {
    }

    static Throwable toStatus(Throwable failure) {
        if (failure instanceof StatusRuntimeException) {
            return failure;
        }
        if (failure instanceof IdentityException e) {
            Status status = switch (e.kind()) {
                case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
                case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
                case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
                case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
                case NOT_FOUND -> Status.NOT_FOUND;
                case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
                case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
            };
            return status.withDescription(e.getMessage()).asRuntimeException();
        }
        Log.error("unexpected failure in a gRPC call", failure);
        return Status.INTERNAL.withDescription("internal error").asRuntimeException();
    }
}
