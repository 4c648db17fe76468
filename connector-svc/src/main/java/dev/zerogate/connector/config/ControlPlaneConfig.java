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

    /**
     * The deployment's one URL, identity-svc's (ZEROGATE_URL): its discovery document
     * ({@code /.well-known/zerogate-configuration}) names policy-svc and the relays with their keys.
     */
    Optional<String> url();

    /** policy-svc's base URL instead of the discovery document's (ZEROGATE_POLICY_URL), for a lab. */
    Optional<String> policyUrl();

    /**
     * Only these of the published relays (ZEROGATE_RELAYS, comma-separated URLs), for a lab. A relay
     * the document does not publish is refused: its key comes only from the document.
     */
    Optional<List<String>> relays();

    /** Also trust the CA certificates in this PEM file (ZEROGATE_CA_FILE), for a private CA. */
    Optional<String> caFile();

    /** Allow plain http:// to hosts other than this machine (ZEROGATE_INSECURE_HTTP): a lab only, tokens in clear. */
    @WithDefault("false")
    boolean insecureHttp();

    /** The one-time bootstrap access token from IdentityAdminService.CreateConnector (ZEROGATE_ACCESS_TOKEN). */
    Optional<String> accessToken();

    /** The bootstrap refresh token from the same call (ZEROGATE_REFRESH_TOKEN). */
    Optional<String> refreshToken();

    /** Deadline of each call to identity-svc. */
    @WithDefault("15s")
    Duration callTimeout();
}
