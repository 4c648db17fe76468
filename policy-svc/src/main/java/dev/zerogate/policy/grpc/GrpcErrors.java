package dev.zerogate.policy.grpc;

import dev.zerogate.policy.service.PolicyError;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.logging.Log;
import io.vertx.pgclient.PgException;

/** policy-svc's one mapping from failures to gRPC status; never a stack trace to clients. */
final class GrpcErrors {

    private GrpcErrors() {}

    static Throwable toStatus(Throwable failure) {
        if (failure instanceof StatusRuntimeException) {
            return failure;
        }
        if (failure instanceof PolicyError e) {
            Status status = switch (e.kind()) {
                case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
                case NOT_FOUND -> Status.NOT_FOUND;
                case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
                case FAILED_PRECONDITION, STALE_ETAG -> Status.FAILED_PRECONDITION;
                case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
                case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
                case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
                case UNAVAILABLE -> Status.UNAVAILABLE;
            };
            return status.withDescription(e.getMessage()).asRuntimeException();
        }
        if (failure instanceof PgException pg && "23505".equals(pg.getSqlState())) {
            // Validation runs under the write lock, so this is a safety net, not the usual path.
            return Status.ALREADY_EXISTS.withDescription("a name, address or alias is already taken").asRuntimeException();
        }
        if (failure instanceof io.vertx.core.VertxException || failure instanceof java.net.ConnectException) {
            Log.warnf("a dependency failed: %s", failure.toString());
            return Status.UNAVAILABLE.withDescription("a dependency is unavailable; retry with backoff").asRuntimeException();
        }
        Log.error("unexpected failure in a gRPC call", failure);
        return Status.INTERNAL.withDescription("internal error").asRuntimeException();
    }
}
