package dev.zerogate.identity.config;

import io.smallrye.config.ConfigMapping;

import java.util.List;
import java.util.Optional;

/**
 * Where clients and connectors reach the rest of the deployment, published in the discovery
 * document ({@code /.well-known/zerogate-configuration}, ADR 0016). The identity URL is the
 * issuer ({@code zerogate.identity.issuer}); these name the others. Set by the ZEROGATE_PUBLIC_*
 * variables (application.properties maps them), which keeps the {@code zerogate.public} namespace
 * free for ZEROGATE_PUBLIC_URL.
 */
@ConfigMapping(prefix = "zerogate.discovery")
public interface PublicEndpointsConfig {

    /**
     * policy-svc's public URL (ZEROGATE_PUBLIC_POLICY_URL). Absent: the issuer, the topology
     * with one TLS reverse proxy in front of everything that routes gRPC by path.
     */
    Optional<String> policyUrl();

    /**
     * The relays (ZEROGATE_PUBLIC_RELAYS), comma separated, each {@code URL#KEY} with KEY the
     * relay's X25519 preamble key in base64url as its {@code /api/v1/relay} shows it. Clients
     * seal preambles only to these keys. Absent: no relay is published.
     */
    Optional<List<String>> relays();
}
