package dev.zerogate.edge;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Which URLs may carry a token (ADR 0016, "No tokens in clear off loopback"): {@code https://}
 * anywhere, {@code http://} only to a loopback host ({@code 127.0.0.0/8}, {@code ::1},
 * {@code localhost}) unless the person chose {@code --insecure-http} /
 * {@code ZEROGATE_INSECURE_HTTP=true}. Checked before anything is sent; host names other than
 * {@code localhost} are never resolved to decide, so DNS cannot turn a name into "loopback".
 *
 * @param insecureHttp whether http:// to any host was allowed explicitly
 */
public record UrlPolicy(boolean insecureHttp) {

    /** The environment variable both the CLI and the connector read. */
    public static final String INSECURE_ENVIRONMENT = "ZEROGATE_INSECURE_HTTP";

    public static final UrlPolicy STRICT = new UrlPolicy(false);

    /** A URL that is not an http(s) base URL, or that would send tokens in clear. */
    public static final class RefusedUrlException extends IllegalArgumentException {
        public RefusedUrlException(String message) {
            super(message);
        }
    }

    /** The policy {@code ZEROGATE_INSECURE_HTTP} asks for, or strict. */
    public static UrlPolicy fromEnvironment(String insecureHttp) {
        return new UrlPolicy(insecureHttp != null && insecureHttp.strip().equalsIgnoreCase("true"));
    }

    /** This policy, or the permissive one when {@code alsoInsecure}. */
    public UrlPolicy or(boolean alsoInsecure) {
        return alsoInsecure ? new UrlPolicy(true) : this;
    }

    /**
     * {@code url} as a base URL (scheme, host, port; no trailing slash), if tokens may go there.
     *
     * @param source where the URL came from, for the message (e.g. "--policy-url", "the discovery document's policy_url")
     * @throws RefusedUrlException saying why and how to override
     */
    public URI check(String url, String source) {
        URI uri = parse(url, source);
        if (uri.getScheme().equals("http") && !insecureHttp && !isLoopback(uri.getHost())) {
            throw new RefusedUrlException(source + " " + uri + " is plain http:// to " + uri.getHost()
                    + ", which is not this machine: tokens would cross the network in clear. Use https://, or for a lab network"
                    + " pass --insecure-http (the CLI) or set " + INSECURE_ENVIRONMENT + "=true.");
        }
        return uri;
    }

    /** {@code url} as a base URL, without the clear-text rule (for messages and comparisons). */
    public static URI parse(String url, String source) {
        if (url == null || url.isBlank()) {
            throw new RefusedUrlException(source + " is empty");
        }
        String trimmed = url.strip();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw new RefusedUrlException(source + " '" + url + "' is not a URL; write it like https://zg.example.com");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new RefusedUrlException(source + " '" + url + "' must start with https:// (or http:// on this machine)");
        }
        if (uri.getHost() == null || (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) || uri.getRawQuery() != null
                || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new RefusedUrlException(source + " '" + url + "' must name a host and optionally a port, nothing else");
        }
        if (!scheme.equals(uri.getScheme())) {
            try {
                uri = new URI(scheme, null, uri.getHost(), uri.getPort(), null, null, null);
            } catch (URISyntaxException e) {
                throw new RefusedUrlException(source + " '" + url + "' is not a URL");
            }
        }
        return uri;
    }

    /** Whether {@code host} (as a URI gives it, IPv6 in brackets) is a loopback literal or localhost. */
    public static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.equals("[::1]") || h.equals("::1")
                || h.equals("[0:0:0:0:0:0:0:1]") || h.equals("0:0:0:0:0:0:0:1")) {
            return true;
        }
        String[] parts = h.split("\\.", -1);
        if (parts.length != 4 || !parts[0].equals("127")) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit) || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /** True when calls to {@code url} use TLS. */
    public static boolean tls(URI url) {
        return "https".equals(url.getScheme());
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
}
