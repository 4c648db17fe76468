package dev.zerogate.policy.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * Keyset paging over a list sorted by a unique key (a name, then the id). A page token holds
 * the last key served and a fingerprint of the filters it was issued for, so a token from
 * another filter is refused instead of silently serving the wrong list, and pages stay
 * correct while entities are added or removed between calls.
 *
 * <p>Token layout (base64url, no padding): {@code v1 \n filter-fingerprint \n last-key}.
 */
public final class Paging {

    public static final int DEFAULT_PAGE_SIZE = 100;
    public static final int MAX_PAGE_SIZE = 1000;
    private static final int MAX_TOKEN_LENGTH = 2048;

    private Paging() {}

    /** The page size to serve: default for 0, capped at the maximum; negative is refused. */
    public static int pageSize(int requested) {
        if (requested < 0) {
            throw PolicyError.invalid("page_size", "must not be negative");
        }
        return requested == 0 ? DEFAULT_PAGE_SIZE : Math.min(requested, MAX_PAGE_SIZE);
    }

    /**
     * One page of {@code items} (any order; sorted here by {@code key}) after the position in
     * {@code pageToken}.
     *
     * @param filter every filter of the request, in a fixed order; the token is bound to it
     */
    public static <T> Page<T> page(List<T> items, Function<T, String> key, int requestedPageSize, String pageToken, String filter) {
        int size = pageSize(requestedPageSize);
        String fingerprint = fingerprint(filter);
        String after = pageToken == null || pageToken.isEmpty() ? null : lastKey(pageToken, fingerprint);
        List<T> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparing(key));
        List<T> page = new ArrayList<>(Math.min(size, sorted.size()));
        boolean more = false;
        for (T item : sorted) {
            if (after != null && key.apply(item).compareTo(after) <= 0) {
                continue;
            }
            if (page.size() == size) {
                more = true;
                break;
            }
            page.add(item);
        }
        String next = more ? token(fingerprint, key.apply(page.get(page.size() - 1))) : "";
        return new Page<>(List.copyOf(page), next);
    }

    /** A token for the position after {@code lastKey}, bound to {@code filter}. */
    public static String tokenFor(String filter, String lastKey) {
        return token(fingerprint(filter), lastKey);
    }

    /** The position a token holds; refused when it was issued for other filters or is not ours. */
    public static String positionIn(String pageToken, String filter) {
        return lastKey(pageToken, fingerprint(filter));
    }

    /** A sort key that orders by name case-insensitively and is unique thanks to the id. */
    public static String nameKey(String name, String id) {
        return name.toLowerCase(java.util.Locale.ROOT) + "\u0000" + id;
    }

    private static String token(String fingerprint, String lastKey) {
        String text = "v1\n" + fingerprint + "\n" + lastKey;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String lastKey(String pageToken, String fingerprint) {
        if (pageToken.length() > MAX_TOKEN_LENGTH) {
            throw PolicyError.invalid("page_token", "is not a token this list issued");
        }
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(pageToken), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw PolicyError.invalid("page_token", "is not a token this list issued");
        }
        String[] parts = text.split("\n", 3);
        if (parts.length != 3 || !parts[0].equals("v1")) {
            throw PolicyError.invalid("page_token", "is not a token this list issued");
        }
        if (!parts[1].equals(fingerprint)) {
            throw PolicyError.invalid("page_token", "was issued for other filters: start again without a page_token");
        }
        return parts[2];
    }

    private static String fingerprint(String filter) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(filter.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
