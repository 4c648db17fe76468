package dev.zerogate.identity.service;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Whether a requested redirect URI is one a client registered: character for character, except
 * that a registered {@code http} URI on a loopback host matches any port (RFC 8252 section 7.3:
 * a native app listens on whatever port the OS gives it). Loopback means the IP literals
 * {@code 127.0.0.1} and {@code [::1]}, and {@code localhost} when the client registered
 * {@code localhost} itself; the request must name the same host as the registration. Scheme,
 * path and query must be identical; user info and fragments never match leniently.
 */
public final class RedirectUris {

    private static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "[::1]", "localhost");

    private RedirectUris() {
    }

    /** True when {@code requested} is allowed by one of {@code registered}. */
    public static boolean allowed(List<String> registered, String requested) {
        return requested != null && registered.stream().anyMatch(r -> matches(r, requested));
    }

    static boolean matches(String registered, String requested) {
        if (registered.equals(requested)) {
            return true;
        }
        URI reg;
        URI req;
        try {
            reg = new URI(registered);
            req = new URI(requested);
        } catch (URISyntaxException e) {
            return false;
        }
        if (!"http".equals(reg.getScheme()) || !"http".equals(req.getScheme()) || reg.getHost() == null || req.getHost() == null) {
            return false;
        }
        String host = reg.getHost().toLowerCase(Locale.ROOT);
        return LOOPBACK_HOSTS.contains(host)
                && host.equals(req.getHost().toLowerCase(Locale.ROOT))
                && reg.getRawUserInfo() == null && req.getRawUserInfo() == null
                && reg.getRawFragment() == null && req.getRawFragment() == null
                && Objects.equals(emptyAsSlash(reg.getRawPath()), emptyAsSlash(req.getRawPath()))
                && Objects.equals(reg.getRawQuery(), req.getRawQuery());
    }

    private static String emptyAsSlash(String path) {
        return path == null || path.isEmpty() ? "/" : path;
    }
}
