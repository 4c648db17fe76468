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
 * What an off-the-shelf client needs to find the endpoints: OpenID Connect Discovery 1.0
 * ({@code /.well-known/openid-configuration}) and OAuth 2.0 Authorization Server Metadata
 * (RFC 8414, {@code /.well-known/oauth-authorization-server}), one document for both.
 */
@Path("/.well-known")
public class AuthorizationServerMetadata {

    private final IdentityConfig config;

    AuthorizationServerMetadata(IdentityConfig config) {
        this.config = config;
    }

    @GET
    @Path("/openid-configuration")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> openIdConfiguration() {
        return metadata();
    }

    @GET
    @Path("/oauth-authorization-server")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> metadata() {
        String issuer = config.issuer();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("issuer", issuer);
        metadata.put("authorization_endpoint", issuer + "/oauth2/authorize");
        metadata.put("token_endpoint", issuer + "/oauth2/token");
        metadata.put("device_authorization_endpoint", issuer + "/oauth2/device_authorization");
        metadata.put("revocation_endpoint", issuer + "/oauth2/revoke");
        metadata.put("userinfo_endpoint", issuer + "/oauth2/userinfo");
        metadata.put("jwks_uri", issuer + "/oauth2/jwks");
        metadata.put("grant_types_supported", List.of(OAuthClients.AUTHORIZATION_CODE_GRANT, OAuthClients.DEVICE_CODE_GRANT,
                OAuthClients.REFRESH_TOKEN_GRANT, OAuthClients.CLIENT_CREDENTIALS_GRANT));
        metadata.put("response_types_supported", List.of("code"));
        metadata.put("response_modes_supported", List.of("query"));
        metadata.put("scopes_supported", AuthorizeEndpoint.SCOPES.stream().sorted().toList());
        metadata.put("subject_types_supported", List.of("public"));
        metadata.put("id_token_signing_alg_values_supported", List.of("ES256"));
        metadata.put("code_challenge_methods_supported", List.of("S256"));
        // "none" for the public clients (CLI, browser clients); the secrets for service-account keys.
        metadata.put("token_endpoint_auth_methods_supported", List.of("none", "client_secret_basic", "client_secret_post"));
        metadata.put("revocation_endpoint_auth_methods_supported", List.of("none"));
        metadata.put("claims_supported", List.of("iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "amr", "sid",
                "preferred_username", "name", "email", "groups"));
        metadata.put("authorization_response_iss_parameter_supported", true);
        metadata.put("request_parameter_supported", false);
        metadata.put("request_uri_parameter_supported", false);
        return metadata;
    }
}
