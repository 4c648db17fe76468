package dev.zerogate.policy.rest;

import dev.zerogate.policy.service.PolicyError;
import io.quarkus.logging.Log;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import jakarta.ws.rs.core.Response;

/**
 * Failures of the REST API as RFC 9457 problem documents ({@code application/problem+json}):
 * {@code type}, {@code title}, {@code status}, {@code detail}, and {@code field} when the
 * problem is about one request field. Same mapping as the gRPC adapter; never a stack trace.
 */
final class Problems {

    static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_BASE = "https://zerogate.dev/problems/";

    private Problems() {}

    static Response of(Throwable failure) {
        if (failure instanceof PolicyError e) {
            int status = switch (e.kind()) {
                case INVALID_ARGUMENT -> 400;
                case UNAUTHENTICATED -> 401;
                case PERMISSION_DENIED -> 403;
                case NOT_FOUND -> 404;
                case ALREADY_EXISTS, FAILED_PRECONDITION -> 409;
                case STALE_ETAG -> 412;
                case RESOURCE_EXHAUSTED -> 429;
                case UNAVAILABLE -> 503;
            };
            return problem(status, e.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), e.getMessage(), e.field());
        }
        if (failure instanceof PgException pg && "23505".equals(pg.getSqlState())) {
            return problem(409, "already-exists", "a name, address or alias is already taken", "");
        }
        Log.error("unexpected failure in a REST call", failure);
        return problem(500, "internal", "internal error", "");
    }

    static Response problem(int status, String type, String detail, String field) {
        JsonObject body = new JsonObject()
                .put("type", TYPE_BASE + type)
                .put("title", Response.Status.fromStatusCode(status) == null ? type : Response.Status.fromStatusCode(status).getReasonPhrase())
                .put("status", status)
                .put("detail", detail);
        if (field != null && !field.isEmpty()) {
            body.put("field", field);
        }
        Response.ResponseBuilder response = Response.status(status).type(MEDIA_TYPE).entity(body.encode());
        if (status == 401) {
            response.header("WWW-Authenticate", "Bearer");
        }
        return response.build();
    }
}
