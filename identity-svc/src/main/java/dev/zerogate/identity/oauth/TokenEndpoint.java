package dev.zerogate.identity.oauth;

import dev.zerogate.identity.TokenSet;
import dev.zerogate.identity.service.BrowserLoginService;
import dev.zerogate.identity.service.DeviceLoginService;
import dev.zerogate.identity.service.OAuthClients;
import dev.zerogate.identity.service.OAuthException;
import dev.zerogate.identity.service.ServiceAccounts;
import dev.zerogate.identity.service.SessionService;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
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
    private final ServiceAccounts serviceAccounts;

    TokenEndpoint(OAuthClients clients, DeviceLoginService deviceLogins, SessionService sessions, BrowserLoginService browserLogins,
                  ServiceAccounts serviceAccounts) {
        this.serviceAccounts = serviceAccounts;
        this.clients = clients;
        this.deviceLogins = deviceLogins;
        this.sessions = sessions;
        this.browserLogins = browserLogins;
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> token(MultivaluedMap<String, String> form, @Context HttpServerRequest request,
                               @HeaderParam("Authorization") String authorization) {
        String grantType = OAuthForms.single(form, "grant_type");
        String clientId = OAuthForms.single(form, "client_id");
        if (grantType == null) {
            throw OAuthException.invalidRequest("grant_type is required");
        }
        if (OAuthClients.CLIENT_CREDENTIALS_GRANT.equals(grantType)) {
            String[] credentials = clientCredentials(authorization, clientId, OAuthForms.single(form, "client_secret"));
            String scope = OAuthForms.single(form, "scope");
            if (scope != null && !scope.isBlank()) {
                throw new OAuthException("invalid_scope", "service-account tokens take no scope", 400);
            }
            return serviceAccounts.clientCredentials(credentials[0], credentials[1], OAuthForms.source(request))
                    .map(issued -> {
                        Map<String, Object> body = new LinkedHashMap<>();
                        body.put("access_token", issued.accessToken());
                        body.put("token_type", "Bearer");
                        body.put("expires_in", issued.lifetime().toSeconds());
                        return noStore(body);
                    });
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

    /**
     * Client authentication (RFC 6749 §2.3.1): HTTP Basic with form-urlencoded parts, or
     * client_id and client_secret in the form; not both.
     */
    private static String[] clientCredentials(String authorization, String formClientId, String formSecret) {
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            if (formSecret != null) {
                throw OAuthException.invalidRequest("use one client authentication method, not two");
            }
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw OAuthException.invalidClient("client authentication failed");
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw OAuthException.invalidClient("client authentication failed");
            }
            return new String[] {URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
                    URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)};
        }
        if (formClientId == null || formSecret == null) {
            throw OAuthException.invalidClient("client authentication is required");
        }
        return new String[] {formClientId, formSecret};
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
