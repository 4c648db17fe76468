package dev.zerogate.connector.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The control plane's addresses as the connector dials them. Only {@code ZEROGATE_URL}
 * (identity-svc) is required: on the default ports (identity 7401) policy-svc is the same host
 * on 7402 and the relay's public port on 7405; on any other port (a reverse proxy that routes by gRPC service
 * on one https port) both default to the identity URL itself.
 *
 * @param identity identity-svc's base URL
 * @param policy   policy-svc's base URL
 * @param relays   the relays' base URLs, at least one
 */
public record ControlPlane(URI identity, URI policy, List<URI> relays) {

    public static final int IDENTITY_PORT = 7401;
    public static final int POLICY_PORT = 7402;
    public static final int RELAY_PORT = 7405;

    public ControlPlane {
        relays = List.copyOf(relays);
        if (relays.isEmpty()) {
            throw new IllegalArgumentException("at least one relay URL is needed");
        }
    }

    /**
     * Derives the addresses from the configured ones.
     *
     * @throws IllegalArgumentException naming the variable whose value is not an http(s) URL
     */
    public static ControlPlane derive(String identityUrl, Optional<String> policyUrl, Optional<List<String>> relayUrls) {
        URI identity = parse("ZEROGATE_URL", identityUrl);
        boolean defaultPorts = identity.getPort() == IDENTITY_PORT;
        URI policy = policyUrl.filter(url -> !url.isBlank()).map(url -> parse("ZEROGATE_POLICY_URL", url))
                .orElseGet(() -> defaultPorts ? withPort(identity, POLICY_PORT) : identity);
        List<URI> relays = relayUrls.map(urls -> urls.stream().map(String::strip).filter(url -> !url.isEmpty())
                        .map(url -> parse("ZEROGATE_RELAYS", url)).toList())
                .filter(list -> !list.isEmpty())
                .orElseGet(() -> List.of(defaultPorts ? withPort(identity, RELAY_PORT) : identity));
        return new ControlPlane(identity, policy, relays);
    }

    /** True when calls to {@code url} use TLS. */
    public static boolean tls(URI url) {
        return url.getScheme().equals("https");
    }

    /** The port to dial: the URL's, else the scheme's default. */
    public static int port(URI url) {
        return url.getPort() > 0 ? url.getPort() : tls(url) ? 443 : 80;
    }

    /** The host to dial, without the brackets of an IPv6 literal. */
    public static String host(URI url) {
        String host = url.getHost();
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static URI parse(String variable, String value) {
        URI url;
        try {
            url = new URI(value.strip().replaceAll("/+$", ""));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(variable + " is not a URL: " + e.getReason());
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
            throw new IllegalArgumentException(variable + " must be an http:// or https:// URL with a host, e.g. https://zg.example.com");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null || url.getRawUserInfo() != null) {
            throw new IllegalArgumentException(variable + " must not carry user info, a query or a fragment");
        }
        return scheme.equals(url.getScheme()) ? url : withScheme(url, scheme);
    }

    private static URI withPort(URI url, int port) {
        return build(url.getScheme(), url, port);
    }

    private static URI withScheme(URI url, String scheme) {
        return build(scheme, url, url.getPort());
    }

    private static URI build(String scheme, URI url, int port) {
        try {
            return new URI(scheme, null, url.getHost(), port, url.getPath(), null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
