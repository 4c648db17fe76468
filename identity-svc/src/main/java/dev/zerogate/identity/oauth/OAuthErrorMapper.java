package dev.zerogate.identity.oauth;

import dev.zerogate.identity.service.OAuthException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Map;

/** OAuth errors as RFC 6749 §5.2 JSON, never cached, for every OAuth endpoint. */
public class OAuthErrorMapper {

    @ServerExceptionMapper
    public Response map(OAuthException e) {
        Response.ResponseBuilder response = Response.status(e.status())
                .type(MediaType.APPLICATION_JSON)
                .header("Cache-Control", "no-store")
                .entity(Map.of("error", e.error(), "error_description", e.getMessage()));
        if (e.status() == 401) {
            response.header("WWW-Authenticate", "Basic realm=\"zerogate\"");
        }
        return response.build();
    }
}
