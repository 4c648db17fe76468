package dev.zerogate.identity.service;

import dev.zerogate.identity.IdentityException;
import dev.zerogate.identity.IdentityException.Kind;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * One page of a list rpc (the contract's conventions): a size (default 100, at most 1000)
 * and, after the first page, the sort key of the last item seen. Page tokens are opaque to
 * clients: base64url of the filter they were issued for and that key, so that a token used
 * with another filter is refused rather than silently skipping rows.
 */
public record PageRequest(int size, String filter, Optional<List<String>> after) {

    public static final int DEFAULT_SIZE = 100;
    public static final int MAX_SIZE = 1000;
    private static final String SEPARATOR = "\n";

    /**
     * @param filter a stable text naming the request's filters
     * @throws IdentityException INVALID_ARGUMENT for a negative size or a token that is malformed or from another filter
     */
    public static PageRequest of(int pageSize, String pageToken, String filter) {
        if (pageSize < 0) {
            throw new IdentityException(Kind.INVALID_ARGUMENT, "page_size must not be negative");
        }
        int size = pageSize == 0 ? DEFAULT_SIZE : Math.min(pageSize, MAX_SIZE);
        if (pageToken == null || pageToken.isEmpty()) {
            return new PageRequest(size, filter, Optional.empty());
        }
        List<String> parts;
        try {
            parts = Arrays.asList(new String(Base64.getUrlDecoder().decode(pageToken), StandardCharsets.UTF_8).split(SEPARATOR, -1));
        } catch (IllegalArgumentException e) {
            throw new IdentityException(Kind.INVALID_ARGUMENT, "page_token is not valid");
        }
        if (parts.size() < 2 || !parts.get(0).equals(fingerprint(filter))) {
            throw new IdentityException(Kind.INVALID_ARGUMENT, "page_token is not valid for this request");
        }
        return new PageRequest(size, filter, Optional.of(List.copyOf(parts.subList(1, parts.size()))));
    }

    /** The token that continues after the item whose sort key is {@code key}. */
    public String tokenAfter(String... key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                (fingerprint(filter) + SEPARATOR + String.join(SEPARATOR, key)).getBytes(StandardCharsets.UTF_8));
    }

    /** A page of items and the token for the next one (empty on the last page). */
    public record Page<T>(List<T> items, String nextPageToken) {
    }

    /**
     * Cuts {@code fetched} (asked with {@link #size()} + 1 rows) to a page; {@code key} gives an
     * item's sort key for the next token.
     */
    public <T> Page<T> page(List<T> fetched, java.util.function.Function<T, String[]> key) {
        if (fetched.size() <= size) {
            return new Page<>(fetched, "");
        }
        List<T> items = fetched.subList(0, size);
        return new Page<>(List.copyOf(items), tokenAfter(key.apply(items.get(size - 1))));
    }

    private static String fingerprint(String filter) {
        return Integer.toHexString(filter.hashCode());
    }

    /** The after-key part {@code index}, for the repository's keyset condition. */
    public String afterPart(int index) {
        List<String> key = after.orElseThrow();
        if (index >= key.size()) {
            throw new IdentityException(Kind.INVALID_ARGUMENT, "page_token is not valid for this request");
        }
        return key.get(index);
    }
}
