package dev.zerogate.identity.oauth;

import dev.zerogate.identity.TokenSet;
import dev.zerogate.identity.service.BrowserLoginService;
import dev.zerogate.identity.service.DeviceLoginService;
import dev.zerogate.identity.service.OAuthClients;
import dev.zerogate.identity.service.OAuthException;
import dev.zerogate.identity.service.SessionService;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The token endpoint (RFC 6749 §3.2): authorization codes with PKCE (§4.1.3, RFC 7636),
 * device-code polls (RFC 8628 §3.4) and refreshes (§6).
 */
@Path("/oauth2/token")
public class TokenEndpoint {

    private final OAuthClients clients;
    private final DeviceLoginService deviceLogins;
    private final SessionService sessions;
    private final BrowserLoginService browserLogins;

    TokenEndpoint(OAuthClients clients, DeviceLoginService deviceLogins, SessionService sessions, BrowserLoginService browserLogins) {
        this.clients = clients;
        this.deviceLogins = deviceLogins;
        this.sessions = sessions;
        this.browserLogins = browserLogins;
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> token(MultivaluedMap<String, String> form, @Context HttpServerRequest request) {
        String grantType = OAuthForms.single(form, "grant_type");
        String clientId = OAuthForms.single(form, "client_id");
        if (grantType == null) {
            throw OAuthException.invalidRequest("grant_type is required");
        }
        clients.requireGrant(clientId, grantType);
        String source = OAuthForms.source(request);
        if (OAuthClients.AUTHORIZATION_CODE_GRANT.equals(grantType)) {
            return browserLogins.redeem(required(form, "code"), clientId, required(form, "redirect_uri"),
                            required(form, "code_verifier"), source)
                    .map(redeemed -> {
                        Map<String, Object> body = body(redeemed.tokens());
                        redeemed.idToken().ifPresent(idToken -> body.put("id_token", idToken));
                        body.put("scope", redeemed.scope());
                        return noStore(body);
                    });
        }
        Uni<TokenSet> tokens = switch (grantType) {
            case OAuthClients.DEVICE_CODE_GRANT -> deviceLogins.poll(required(form, "device_code"), clientId, source);
            case OAuthClients.REFRESH_TOKEN_GRANT -> sessions.refresh(required(form, "refresh_token"), clientId, source);
            default -> throw new OAuthException("unsupported_grant_type", "grant type is not supported", 400);
        };
        return tokens.map(TokenEndpoint::success);
    }

    private static String required(MultivaluedMap<String, String> form, String name) {
        String value = OAuthForms.single(form, name);
        if (value == null || value.isEmpty()) {
            throw OAuthException.invalidRequest(name + " is required");
        }
        return value;
    }

    private static Response success(TokenSet tokens) {
        return noStore(body(tokens));
    }

    private static Map<String, Object> body(TokenSet tokens) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", tokens.accessToken());
        body.put("token_type", "Bearer");
        body.put("expires_in", tokens.expiresIn());
        body.put("refresh_token", tokens.refreshToken());
        return body;
    }

    private static Response noStore(Map<String, Object> body) {
        return Response.ok(body).header("Cache-Control", "no-store").header("Pragma", "no-cache").build();
    }
}
