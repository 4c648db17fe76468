package dev.zerogate.identity;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Base64;

/**
 * One relay as the operator publishes it: its public URL and its preamble key (X25519, 32
 * bytes, base64url without padding as in {@code /api/v1/relay}).
 */
public record PublishedRelay(String url, String preambleKey) {

    static final int KEY_BYTES = 32;

    /**
     * Parses {@code URL#KEY}.
     *
     * @throws IllegalArgumentException naming the entry and what is wrong with it
     */
    public static PublishedRelay parse(String entry) {
        String text = entry.trim();
        int hash = text.lastIndexOf('#');
        if (hash < 0) {
            throw bad(entry, "expected URL#KEY, with KEY the relay's preamble_key from its /api/v1/relay");
        }
        String url = text.substring(0, hash);
        String key = text.substring(hash + 1);
        checkUrl(entry, url);
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(key);
        } catch (IllegalArgumentException e) {
            throw bad(entry, "the key is not base64url text");
        }
        if (bytes.length != KEY_BYTES) {
            throw bad(entry, "the key is " + bytes.length + " bytes, an X25519 key is " + KEY_BYTES);
        }
        return new PublishedRelay(stripTrailingSlash(url),
                Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    private static void checkUrl(String entry, String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw bad(entry, "the URL is not a URL");
        }
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
            throw bad(entry, "the URL must start with https:// (or http:// on loopback)");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw bad(entry, "the URL has no host");
        }
        if (uri.getRawQuery() != null || (uri.getRawPath() != null && uri.getRawPath().length() > 1)) {
            throw bad(entry, "a relay URL is scheme, host and port only");
        }
    }

    public static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static IllegalArgumentException bad(String entry, String why) {
        return new IllegalArgumentException("ZEROGATE_PUBLIC_RELAYS entry \"" + entry.trim() + "\": " + why);
    }
}
