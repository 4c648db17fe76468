package dev.zerogate.edge;

import java.net.URI;
import java.util.Base64;

/**
 * A relay as the control plane publishes it: its base URL and its X25519 preamble key
 * (32 bytes, base64url without padding). Peers seal preambles only to this key.
 */
public record PublishedRelay(URI url, String preambleKey) {

    public static final int KEY_BYTES = 32;

    public PublishedRelay {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(preambleKey.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the preamble key of relay " + url + " is not base64url text");
        }
        if (bytes.length != KEY_BYTES) {
            throw new IllegalArgumentException("the preamble key of relay " + url + " is " + bytes.length + " bytes, not " + KEY_BYTES);
        }
        preambleKey = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
