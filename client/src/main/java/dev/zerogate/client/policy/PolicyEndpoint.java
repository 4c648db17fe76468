package dev.zerogate.client.policy;

import dev.zerogate.client.login.LoginCredentials;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where policy-svc's gRPC API is, for {@code resources} and {@code admin}: the first of
 * {@code --policy-url}, {@code $ZEROGATE_POLICY_URL}, the URL saved in the credentials, and —
 * only for a local run, whose identity-svc is {@code http://127.0.0.1:7401} —
 * {@code http://127.0.0.1:7402}. Elsewhere the two services need not share a host, so nothing
 * is guessed and the person is told how to say it.
 *
 * <p>{@code http://} means plaintext HTTP/2 (h2c), {@code https://} TLS; the URL has no path,
 * since gRPC methods live at the root.
 */
public final class PolicyEndpoint {

    public static final String ENVIRONMENT = "ZEROGATE_POLICY_URL";
    /** Where ./zerogate-local serves policy-svc, next to its identity-svc ({@link #isLocalIdentity}). */
    public static final String LOCAL_POLICY_URL = "http://127.0.0.1:7402";

    /** No usable URL: the person has to give one. A usage error (exit 2), not a failure of the call. */
    public static final class UnknownException extends Exception {
        public UnknownException(String message) {
            super(message);
        }
    }

    private PolicyEndpoint() {
    }

    /**
     * The URL to call, normalised (no trailing slash).
     *
     * @param option      {@code --policy-url}, or null
     * @param environment {@code $ZEROGATE_POLICY_URL}, or null
     * @param saved       the credentials of the login (their server and saved policy URL)
     */
    public static String resolve(String option, String environment, LoginCredentials saved) throws UnknownException {
        if (option != null) {
            return validate(option, "--policy-url");
        }
        if (environment != null && !environment.isBlank()) {
            return validate(environment, ENVIRONMENT);
        }
        if (saved.policyUrl() != null && !saved.policyUrl().isBlank()) {
            return validate(saved.policyUrl(), "the saved policy URL");
        }
        if (isLocalIdentity(saved.server())) {
            return LOCAL_POLICY_URL;
        }
        throw new UnknownException("where is policy-svc? You are logged in to " + saved.server()
                + ", which is not a local run: pass --policy-url URL (remembered after the first call that works) or set "
                + ENVIRONMENT);
    }

    /** {@code url} if it is an http:// or https:// URL of a host (and optional port) only. */
    public static String validate(String url, String source) throws UnknownException {
        String trimmed = url.strip();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw new UnknownException(source + " '" + url + "' is not a URL; write it like http://127.0.0.1:7402 or https://policy.example.com");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new UnknownException(source + " '" + url + "' must start with http:// (plaintext) or https:// (TLS)");
        }
        if (uri.getHost() == null || (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) || uri.getRawQuery() != null
                || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new UnknownException(source + " '" + url + "' must name a host and optionally a port, nothing else");
        }
        return trimmed;
    }

    /** Whether {@code server} is identity-svc of a local run on this machine. */
    public static boolean isLocalIdentity(String server) {
        if (server == null) {
            return false;
        }
        try {
            URI uri = new URI(server.strip());
            String host = uri.getHost() == null ? "" : uri.getHost();
            return "http".equalsIgnoreCase(uri.getScheme()) && uri.getPort() == 7401
                    && (host.equals("127.0.0.1") || host.equalsIgnoreCase("localhost") || host.equals("[::1]"))
                    && (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"));
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
