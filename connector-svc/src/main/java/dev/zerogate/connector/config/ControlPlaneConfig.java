package dev.zerogate.connector.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where the control plane is and how this connector first proves who it is. Each key reads the
 * environment variable of the connector's {@code docker run} line (application.properties maps
 * them), so {@code ZEROGATE_URL}, {@code ZEROGATE_ACCESS_TOKEN} and {@code ZEROGATE_REFRESH_TOKEN}
 * are all a connector needs.
 */
@ConfigMapping(prefix = "zerogate.connector.control-plane")
public interface ControlPlaneConfig {

    /**
     * False runs the connector without a control plane: no credentials, nothing dialled. Only for
     * the local one-command run until it provisions its connector; a real connector keeps true.
     */
    @WithDefault("true")
    boolean enabled();

    /** identity-svc's base URL, http or https, gRPC and HTTP on one port (ZEROGATE_URL). */
    Optional<String> url();

    /** policy-svc's base URL (ZEROGATE_POLICY_URL); derived from {@link #url()} when unset, see {@link ControlPlane}. */
    Optional<String> policyUrl();

    /** The relays' base URLs (ZEROGATE_RELAYS, comma-separated); derived from {@link #url()} when unset. */
    Optional<List<String>> relays();

    /** The one-time bootstrap access token from IdentityAdminService.CreateConnector (ZEROGATE_ACCESS_TOKEN). */
    Optional<String> accessToken();

    /** The bootstrap refresh token from the same call (ZEROGATE_REFRESH_TOKEN). */
    Optional<String> refreshToken();

    /** Deadline of each call to identity-svc. */
    @WithDefault("15s")
    Duration callTimeout();
}
