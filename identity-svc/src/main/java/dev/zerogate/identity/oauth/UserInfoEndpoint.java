package dev.zerogate.identity.oauth;

import dev.zerogate.identity.repository.UserRepository;
import dev.zerogate.identity.service.RevocationLog;
import dev.zerogate.identity.service.SessionService;
import dev.zerogate.identity.service.SigningKeyService;
import dev.zerogate.servicekit.token.AccessTokenVerifier;
import dev.zerogate.servicekit.token.PrincipalKind;
import dev.zerogate.servicekit.token.TokenRejectedException;
import dev.zerogate.servicekit.token.VerifiedAccessToken;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The UserInfo endpoint (OpenID Connect Core §5.3): the claims of the user an access token
 * speaks for, read fresh from the database. Bearer tokens only (RFC 6750 §2.1); a token bound
 * to a device key ({@code cnf}) is refused here, because a bearer header proves no key.
 */
@Path("/oauth2/userinfo")
public class UserInfoEndpoint {

    private static final String BEARER = "Bearer ";

    private final AccessTokenVerifier verifier;
    private final SigningKeyService signingKeys;
    private final RevocationLog revocations;
    private final UserRepository users;
    private final SessionService sessions;

    UserInfoEndpoint(AccessTokenVerifier verifier, SigningKeyService signingKeys, RevocationLog revocations,
                     UserRepository users, SessionService sessions) {
        this.verifier = verifier;
        this.signingKeys = signingKeys;
        this.revocations = revocations;
        this.users = users;
        this.sessions = sessions;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> get(@HeaderParam("Authorization") String authorization) {
        return userInfo(authorization);
    }

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> post(@HeaderParam("Authorization") String authorization) {
        return userInfo(authorization);
    }

    private Uni<Response> userInfo(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Uni.createFrom().item(Response.status(401).header("WWW-Authenticate", "Bearer realm=\"zerogate\"")
                    .header("Cache-Control", "no-store").build());
        }
        VerifiedAccessToken token;
        try {
            token = verifier.verify(authorization.substring(BEARER.length()).strip(), signingKeys.cachedKeySet().jwksJson(), Optional.empty());
        } catch (TokenRejectedException e) {
            return Uni.createFrom().item(invalidToken(e.getMessage()));
        }
        if (revocations.revokes(token)) {
            return Uni.createFrom().item(invalidToken("the token has been revoked"));
        }
        if (token.kind() != PrincipalKind.USER) {
            return Uni.createFrom().item(invalidToken("the token does not speak for a user"));
        }
        return Panache.withSession(() -> users.findById(UUID.fromString(token.subject()))).map(user -> {
            if (user == null || user.disabledAt != null) {
                return invalidToken("the account is disabled");
            }
            Map<String, Object> claims = new LinkedHashMap<>();
            claims.put("sub", user.id.toString());
            claims.put("preferred_username", user.username);
            if (user.displayName != null) {
                claims.put("name", user.displayName);
            }
            if (user.email != null) {
                claims.put("email", user.email);
            }
            claims.put("groups", sessions.groupsOf(user));
            return Response.ok(claims).header("Cache-Control", "no-store").build();
        });
    }

    private static Response invalidToken(String description) {
        String safe = description.replace('"', '\'');
        return Response.status(401)
                .header("WWW-Authenticate", "Bearer realm=\"zerogate\", error=\"invalid_token\", error_description=\"" + safe + "\"")
                .header("Cache-Control", "no-store").build();
    }
}
