package dev.zerogate.connector.config;

import dev.zerogate.edge.DeploymentConfiguration;
import dev.zerogate.edge.DiscoveryClient;
import dev.zerogate.edge.PublishedRelay;
import dev.zerogate.edge.TrustMaterial;
import dev.zerogate.edge.UrlPolicy;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * The control plane as the connector reaches it (ADR 0016): only {@code ZEROGATE_URL} is
 * needed; its discovery document names policy-svc and the relays with their preamble keys.
 * {@code ZEROGATE_POLICY_URL} replaces the published policy URL and {@code ZEROGATE_RELAYS}
 * picks some of the published relays, for a lab. Every URL is checked against the
 * {@link UrlPolicy} before anything is sent, and every TLS connection trusts {@link #trust()}.
 *
 * @param identity       identity-svc's base URL (ZEROGATE_URL)
 * @param policyOverride ZEROGATE_POLICY_URL, if set
 * @param relayOverrides ZEROGATE_RELAYS, empty if unset
 */
public record ControlPlane(URI identity, Optional<URI> policyOverride, List<URI> relayOverrides, UrlPolicy urls, TrustMaterial trust) {

    /** Where policy-svc is and which relays to register with, once the discovery document was read. */
    public record Endpoints(URI policy, List<PublishedRelay> relays) {
    }

    public ControlPlane {
        relayOverrides = List.copyOf(relayOverrides);
    }

    /**
     * The control plane of the configuration, URLs checked (nothing is sent yet).
     *
     * @throws IllegalArgumentException naming the variable whose URL is malformed or would carry tokens in clear
     * @throws IOException              when ZEROGATE_CA_FILE cannot be read
     */
    public static ControlPlane configure(String identityUrl, Optional<String> policyUrl, Optional<List<String>> relayUrls,
                                         Optional<String> caFile, boolean insecureHttp) throws IOException {
        UrlPolicy urls = new UrlPolicy(insecureHttp);
        URI identity = urls.check(identityUrl, "ZEROGATE_URL");
        Optional<URI> policy = policyUrl.filter(url -> !url.isBlank()).map(url -> urls.check(url, "ZEROGATE_POLICY_URL"));
        List<URI> relays = relayUrls.orElse(List.of()).stream().map(String::strip).filter(url -> !url.isEmpty())
                .map(url -> urls.check(url, "ZEROGATE_RELAYS")).toList();
        return new ControlPlane(identity, policy, relays, urls, TrustMaterial.fromEnvironment(caFile.orElse(null)));
    }

    /** Reads the discovery document at {@link #identity()}. */
    public DeploymentConfiguration discover() throws IOException, InterruptedException {
        return new DiscoveryClient(trust, urls).fetch(identity.toString(), "ZEROGATE_URL");
    }

    /**
     * policy-svc and the relays of {@code deployment}, with the overrides applied.
     *
     * @throws IllegalArgumentException when ZEROGATE_RELAYS names a relay the deployment does not publish
     */
    public Endpoints endpoints(DeploymentConfiguration deployment) {
        URI policy = policyOverride.orElse(deployment.policyUrl());
        if (relayOverrides.isEmpty()) {
            return new Endpoints(policy, deployment.relays());
        }
        List<PublishedRelay> chosen = relayOverrides.stream().map(wanted -> deployment.relays().stream()
                .filter(relay -> same(relay.url(), wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("ZEROGATE_RELAYS names " + wanted + ", which the deployment does not publish ("
                        + String.join(", ", deployment.relays().stream().map(relay -> relay.url().toString()).toList())
                        + "): a relay's key comes only from the discovery document"))).toList();
        return new Endpoints(policy, chosen);
    }

    private static boolean same(URI a, URI b) {
        return a.getScheme().equals(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    /** True when calls to {@code url} use TLS. */
    public static boolean tls(URI url) {
        return UrlPolicy.tls(url);
    }

    /** The port to dial: the URL's, else the scheme's default. */
    public static int port(URI url) {
        return UrlPolicy.port(url);
    }

    /** The host to dial, without the brackets of an IPv6 literal. */
    public static String host(URI url) {
        return UrlPolicy.host(url);
    }
}
