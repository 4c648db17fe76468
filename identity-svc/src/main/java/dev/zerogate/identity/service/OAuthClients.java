package dev.zerogate.identity.service;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.Set;

/**
 * The OAuth clients identity-svc knows. Built in for now: the {@code zerogate} CLI, a public
 * client (no secret; it cannot keep one) that logs in with the device grant and refreshes.
 */
@ApplicationScoped
public class OAuthClients {

    public static final String CLI = "zerogate-cli";
    public static final String DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
    public static final String REFRESH_TOKEN_GRANT = "refresh_token";

    private static final Map<String, Set<String>> GRANTS = Map.of(CLI, Set.of(DEVICE_CODE_GRANT, REFRESH_TOKEN_GRANT));

    /**
     * @throws OAuthException {@code invalid_client} for an unknown client, {@code unauthorized_client}
     *                        for a grant the client may not use
     */
    public void requireGrant(String clientId, String grantType) {
        Set<String> grants = clientId == null ? null : GRANTS.get(clientId);
        if (grants == null) {
            throw OAuthException.invalidClient("unknown client");
        }
        if (!grants.contains(grantType)) {
            throw new OAuthException("unauthorized_client", "this client may not use this grant", 400);
        }
    }
}
