package dev.zerogate.identity.oauth;

import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.identity.service.OAuthClients;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OAuth 2.0 Authorization Server Metadata (RFC 8414): what an off-the-shelf client needs to
 * find the endpoints. It lists only what is built; OpenID Connect discovery
 * ({@code /.well-known/openid-configuration}) arrives with the authorization-code flow.
 */
@Path("/.well-known/oauth-authorization-server")
public class AuthorizationServerMetadata {

    private final IdentityConfig config;

    AuthorizationServerMetadata(IdentityConfig config) {
        this.config = config;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> metadata() {
        String issuer = config.issuer();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("issuer", issuer);
        metadata.put("token_endpoint", issuer + "/oauth2/token");
        metadata.put("device_authorization_endpoint", issuer + "/oauth2/device_authorization");
        metadata.put("revocation_endpoint", issuer + "/oauth2/revoke");
        metadata.put("jwks_uri", issuer + "/oauth2/jwks");
        metadata.put("grant_types_supported", List.of(OAuthClients.DEVICE_CODE_GRANT, OAuthClients.REFRESH_TOKEN_GRANT));
        metadata.put("response_types_supported", List.of());
        metadata.put("token_endpoint_auth_methods_supported", List.of("none"));
        return metadata;
    }
}
