package dev.zerogate.identity.oauth;

import dev.zerogate.identity.service.SigningKeyService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Variant;

import java.util.List;
import java.util.Optional;

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

    private static final List<Variant> VARIANTS = Variant.mediaTypes(MediaType.valueOf(JWK_SET_JSON),
            MediaType.APPLICATION_JSON_TYPE).build();

    private final SigningKeyService signingKeys;

    JwksResource(SigningKeyService signingKeys) {
        this.signingKeys = signingKeys;
    }

    /**
     * In the type the request accepts: many relying-party libraries ask for
     * {@code application/json}, which a JWK Set is; without a preference, RFC 7517's own type.
     */
    @GET
    @Produces({JWK_SET_JSON, MediaType.APPLICATION_JSON})
    public Uni<Response> jwks(@Context Request request) {
        MediaType type = Optional.ofNullable(request.selectVariant(VARIANTS)).map(Variant::getMediaType)
                .orElse(MediaType.valueOf(JWK_SET_JSON));
        return signingKeys.keySet().map(keys -> Response.ok(keys.jwksJson(), type)
                .header("Cache-Control", "public, max-age=" + CACHE_SECONDS)
                .build());
    }
}
