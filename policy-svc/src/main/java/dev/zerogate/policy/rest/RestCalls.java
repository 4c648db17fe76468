package dev.zerogate.policy.rest;

import dev.zerogate.policy.caller.Callers;
import io.vertx.core.http.HttpServerRequest;

/** The REST caller as {@link Callers} reads it: the bearer token, the peer address and the request id from the HTTP request. */
final class RestCalls {

    private static final String BEARER = "Bearer ";
    private static final int MAX_REQUEST_ID = 128;

    private RestCalls() {}

    static Callers.Call call(String authorization, HttpServerRequest http) {
        String token = authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
                ? authorization.substring(BEARER.length()).strip() : "";
        String peer = http.remoteAddress() == null ? "" : http.remoteAddress().hostAddress();
        String requestId = http.getHeader("X-Request-Id");
        requestId = requestId == null ? "" : requestId.substring(0, Math.min(requestId.length(), MAX_REQUEST_ID));
        return new Callers.Call(token, peer == null ? "" : peer, requestId);
    }
}
