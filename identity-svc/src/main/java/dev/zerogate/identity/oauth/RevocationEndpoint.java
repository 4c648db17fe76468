package dev.zerogate.identity.oauth;

import dev.zerogate.identity.service.OAuthClients;
import dev.zerogate.identity.service.OAuthException;
import dev.zerogate.identity.service.SessionService;
import dev.zerogate.identity.service.SigningKeyService;
import dev.zerogate.servicekit.token.AccessTokenVerifier;
import dev.zerogate.servicekit.token.TokenRejectedException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

import java.util.UUID;

/**
 * Token revocation (RFC 7009), used by {@code zerogate logout}. Revoking either token of a
 * session ends the whole session: its refresh tokens stop working at once; its access
 * tokens, short-lived, are cut off by the policy stream. The answer is 200 whether or not the
 * token was known (§2.2), so the endpoint cannot be used to test tokens.
 */
@Path("/oauth2/revoke")
public class RevocationEndpoint {

    private final OAuthClients clients;
    private final SessionService sessions;
    private final SigningKeyService signingKeys;
    private final AccessTokenVerifier verifier;

    RevocationEndpoint(OAuthClients clients, SessionService sessions, SigningKeyService signingKeys, AccessTokenVerifier verifier) {
        this.clients = clients;
        this.sessions = sessions;
        this.signingKeys = signingKeys;
        this.verifier = verifier;
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> revoke(MultivaluedMap<String, String> form, @Context HttpServerRequest request) {
        String clientId = OAuthForms.single(form, "client_id");
        clients.requireGrant(clientId, OAuthClients.REFRESH_TOKEN_GRANT);
        String token = OAuthForms.single(form, "token");
        if (token == null || token.isEmpty()) {
            throw OAuthException.invalidRequest("token is required");
        }
        String source = OAuthForms.source(request);
        Uni<Void> revoked = token.indexOf('.') < 0
                ? sessions.revokeByRefreshToken(token, clientId, source)
                : signingKeys.keySet().chain(keys -> {
                    try {
                        // Key binding is not checked: whoever holds a token may end its session.
                        var access = verifier.verifyIgnoringKeyBinding(token, keys.jwksJson());
                        return sessions.revokeSession(UUID.fromString(access.sessionId()), clientId, source);
                    } catch (TokenRejectedException | IllegalArgumentException e) {
                        return Uni.createFrom().voidItem();
                    }
                });
        return revoked.map(ignored -> Response.ok().header("Cache-Control", "no-store").build());
    }
}
