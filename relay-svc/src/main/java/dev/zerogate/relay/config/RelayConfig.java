package dev.zerogate.relay.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** relay-svc's own settings. */
@ConfigMapping(prefix = "zerogate.relay")
public interface RelayConfig {

    /**
     * This relay's name in logs, health and in what it reports to policy-svc; several relays
     * behind one address tell themselves apart by it. Default: the host name.
     */
    Optional<String> id();

    /**
     * The public port: clients and connectors dial it for everything. Data-plane connections
     * (they start with the preamble magic) are handled here; anything else (gRPC, HTTP) is
     * passed to this relay's own HTTP/gRPC server, so one port (443, say) can serve.
     */
    @WithDefault("7405")
    int port();

    /** Address the public port binds to. */
    @WithDefault("0.0.0.0")
    String host();

    /**
     * TLS on the public port. With both files set the port serves TLS only; ALPN
     * {@code zg-relay/1} carries the preamble, anything else reaches the HTTP/gRPC server.
     */
    Tls tls();

    interface Tls {
        /** The certificate chain, PEM, leaf first (certbot's {@code fullchain.pem}; {@code ZEROGATE_TLS_CERT}). */
        Optional<Path> cert();

        /** The certificate's private key, PEM PKCS#8 (certbot's {@code privkey.pem}; {@code ZEROGATE_TLS_KEY}). Secret. */
        Optional<Path> key();

        /**
         * How often the two files are checked for a change (modification time, size, content);
         * a changed pair is loaded for new handshakes, open connections keep theirs.
         */
        @WithDefault("5s")
        Duration reloadPeriod();
    }

    /**
     * Addresses or CIDR blocks ({@code 10.0.0.0/8}, {@code ::1}) of proxies whose PROXY protocol
     * header (v1 or v2) is honoured: the source it carries is then the peer's address. A PROXY
     * header from any other address is refused ({@code ZEROGATE_TRUSTED_PROXIES}).
     */
    Optional<List<String>> trustedProxies();

    /**
     * A PEM file of CA certificates trusted for https:// control-plane URLs, in addition to the
     * system's ({@code ZEROGATE_CA_FILE}); for a deployment with its own CA.
     */
    Optional<Path> caFile();

    /**
     * The URL clients and connectors dial this relay at ({@code https://relay.example.com:7405}),
     * as it goes into identity-svc's {@code ZEROGATE_PUBLIC_RELAYS}; only for the line logged at start.
     */
    Optional<String> publicUrl();

    /** Directory of the relay's key for sealed preambles (generated at first start, 0600). */
    Path stateDir();

    /** identity-svc's base URL, for its JWKS (connectors' access tokens). */
    String identityUrl();

    /**
     * The {@code iss} of identity-svc's tokens, when the relay reaches identity-svc at another
     * URL than its public one (behind a reverse proxy: {@code http://127.0.0.1:7401} for a
     * public {@code https://zg.example.com}). Default: {@link #identityUrl()}.
     */
    Optional<String> identityIssuer();

    /** policy-svc's gRPC address as a URL, for its grant signing keys. */
    String policyUrl();

    /**
     * The relay's own service account at identity-svc (a key of it: client id and secret), with
     * which it reports its connectors to policy-svc. Optional: without it the relay does not
     * report, and policy-svc shows its connectors offline.
     */
    Identity identity();

    interface Identity {
        /** The service-account key's id, the OAuth client_id ({@code ZEROGATE_RELAY_IDENTITY_CLIENT_ID}). */
        Optional<String> clientId();

        /** The key's secret, the OAuth client_secret ({@code ZEROGATE_RELAY_IDENTITY_CLIENT_SECRET}). Secret. */
        Optional<String> clientSecret();
    }

    /**
     * How often the relay reports every connector registered with it to policy-svc
     * ({@code ConnectorStateService.ReportConnectors}); it also reports promptly when one
     * registers or goes away. Well under the connectors' offline_after (3 heartbeat intervals).
     */
    @WithDefault("10s")
    Duration reportInterval();

    /** The {@code iss} of grants (policy-svc's {@code zerogate.policy.grants.issuer}). */
    @WithDefault("zerogate-policy")
    String grantIssuer();

    /** The {@code aud} of access tokens (identity-svc's). */
    @WithDefault("zerogate")
    String tokenAudience();

    /** Limits and timeouts. */
    Limits limits();

    interface Limits {
        /**
         * The TLS handshake (if any) and the whole preamble must arrive within this time of the
         * TCP accept (slowloris).
         */
        @WithDefault("10s")
        Duration handshakeTimeout();

        /** A spliced session with no bytes either way for this long is closed. */
        @WithDefault("5m")
        Duration sessionIdleTimeout();

        /** How long a client waits for its connector to join. */
        @WithDefault("5s")
        Duration joinTimeout();

        /** Concurrent sessions one user (grant subject) may hold on this relay. */
        @WithDefault("64")
        int maxSessionsPerSubject();

        /** Concurrent sessions of the whole relay. */
        @WithDefault("20000")
        int maxSessions();

        /** Connectors registered at once. */
        @WithDefault("1000")
        int maxConnectors();

        /** Seconds between connector heartbeats. */
        @WithDefault("10s")
        Duration heartbeatInterval();

        /**
         * At shutdown, how long the relay waits for its connectors to acknowledge Drain and leave
         * before it ends their streams and exits (the Drain deadline it announces).
         */
        @WithDefault("3s")
        Duration drainWait();
    }
}
