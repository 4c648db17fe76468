package dev.zerogate.identity.oauth;

import dev.zerogate.identity.service.OAuthException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.MultivaluedMap;

import java.util.List;

/** Reading OAuth form parameters the way RFC 6749 §3.1 asks. */
final class OAuthForms {

    /** Longest parameter value we read; tokens and codes are far shorter. */
    static final int MAX_VALUE_LENGTH = 2048;

    private OAuthForms() {
    }

    /**
     * The parameter's value, or null when absent.
     *
     * @throws OAuthException {@code invalid_request} when it is repeated or over-long
     */
    static String single(MultivaluedMap<String, String> form, String name) {
        List<String> values = form == null ? null : form.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw OAuthException.invalidRequest(name + " must not be repeated");
        }
        String value = values.get(0);
        if (value.length() > MAX_VALUE_LENGTH) {
            throw OAuthException.invalidRequest(name + " is too long");
        }
        return value;
    }

    /** The client's address, for throttling and the audit log. */
    static String source(HttpServerRequest request) {
        return request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    }
}
