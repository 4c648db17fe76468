package dev.zerogate.identity.service;

import dev.zerogate.identity.PublishedRelay;
import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.identity.config.PublicEndpointsConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The discovery document (ADR 0016): the one thing a client or connector reads to find the
 * deployment's identity, policy and relay endpoints and the relays' keys. Built once at start
 * from configuration, so a malformed relay entry stops the service before it serves anything.
 */
@Startup
@ApplicationScoped
public class DeploymentDiscovery {

    /** The tunnel protocol versions the published relays speak. */
    static final List<Integer> TUNNEL_PROTOCOL_VERSIONS = List.of(1);

    private final Map<String, Object> document;

    DeploymentDiscovery(IdentityConfig identity, PublicEndpointsConfig endpoints) {
        this.document = build(identity.issuer(), endpoints.policyUrl(), endpoints.relays().orElse(List.of()));
    }

    /**
     * @throws IllegalArgumentException naming a malformed relay entry
     */
    public static Map<String, Object> build(String issuer, Optional<String> policyUrl, List<String> relayEntries) {
        String identityUrl = PublishedRelay.stripTrailingSlash(issuer);
        List<PublishedRelay> relays = relayEntries.stream()
                .filter(entry -> !entry.isBlank())
                .map(PublishedRelay::parse)
                .toList();
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("issuer", issuer);
        document.put("identity_url", identityUrl);
        document.put("policy_url", policyUrl.filter(url -> !url.isBlank())
                .map(PublishedRelay::stripTrailingSlash).orElse(identityUrl));
        document.put("relays", relays.stream().map(relay -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("url", relay.url());
            entry.put("preamble_key", relay.preambleKey());
            return entry;
        }).toList());
        document.put("tunnel_protocol_versions", TUNNEL_PROTOCOL_VERSIONS);
        return Collections.unmodifiableMap(document);
    }

    public Map<String, Object> document() {
        return document;
    }
}
