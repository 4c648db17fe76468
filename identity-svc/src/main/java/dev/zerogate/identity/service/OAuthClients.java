package dev.zerogate.identity.service;

import dev.zerogate.identity.config.IdentityConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The OAuth clients identity-svc knows. Built in: the {@code zerogate} CLI, a public client
 * (no secret; it cannot keep one) that logs in with the device grant and refreshes.
 * Configured: browser clients ({@code zerogate.identity.clients}), public clients that use the
 * authorization code flow with PKCE and exact redirect URIs, and refresh.
 */
@ApplicationScoped
public class OAuthClients {

    public static final String CLI = "zerogate-cli";
    public static final String DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
    public static final String REFRESH_TOKEN_GRANT = "refresh_token";
    public static final String AUTHORIZATION_CODE_GRANT = "authorization_code";
    /** Service accounts (RFC 6749 §4.4); their keys are the clients. */
    public static final String CLIENT_CREDENTIALS_GRANT = "client_credentials";

    private static final Map<String, Set<String>> BUILT_IN = Map.of(CLI, Set.of(DEVICE_CODE_GRANT, REFRESH_TOKEN_GRANT));
    private static final Set<String> BROWSER_GRANTS = Set.of(AUTHORIZATION_CODE_GRANT, REFRESH_TOKEN_GRANT);

    private final IdentityConfig config;

    OAuthClients(IdentityConfig config) {
        this.config = config;
    }

    /**
     * @throws OAuthException {@code invalid_client} for an unknown client, {@code unauthorized_client}
     *                        for a grant the client may not use
     */
    public void requireGrant(String clientId, String grantType) {
        Set<String> grants = clientId == null ? null
                : BUILT_IN.containsKey(clientId) ? BUILT_IN.get(clientId)
                : config.clients().containsKey(clientId) ? BROWSER_GRANTS : null;
        if (grants == null) {
            throw OAuthException.invalidClient("unknown client");
        }
        if (!grants.contains(grantType)) {
            throw new OAuthException("unauthorized_client", "this client may not use this grant", 400);
        }
    }

    /** The exact redirect URIs of a browser client; empty for an unknown or non-browser client. */
    public Optional<List<String>> redirectUris(String clientId) {
        return Optional.ofNullable(clientId == null ? null : config.clients().get(clientId))
                .map(IdentityConfig.BrowserClient::redirectUris);
    }
}
