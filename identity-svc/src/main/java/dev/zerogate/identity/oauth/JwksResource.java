package dev.zerogate.identity.oauth;

import dev.zerogate.identity.service.SigningKeyService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;

/**
 * The JSON Web Key Set (RFC 7517) of the keys that verify identity-svc's access tokens:
 * public, cacheable for a few minutes. A verifier that meets an unknown {@code kid} fetches it
 * again (at most every 30 s).
 */
@Path("/oauth2/jwks")
public class JwksResource {

    static final String JWK_SET_JSON = "application/jwk-set+json";
    /** Shorter than the time a retired key stays published, so caches never miss a key. */
    static final int CACHE_SECONDS = 300;

    private final SigningKeyService signingKeys;

    JwksResource(SigningKeyService signingKeys) {
        this.signingKeys = signingKeys;
    }

    @GET
    @Produces(JWK_SET_JSON)
    public Uni<Response> jwks() {
        return signingKeys.keySet().map(keys -> Response.ok(keys.jwksJson(), JWK_SET_JSON)
                .header("Cache-Control", "public, max-age=" + CACHE_SECONDS)
                .build());
    }
}
