package dev.zerogate.policy.service;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/** Checks of request fields shared by the admin operations; each failure names the field. */
public final class Requests {

    public static final int MAX_NAME_LENGTH = 100;
    public static final int MAX_DESCRIPTION_LENGTH = 1000;
    private static final Pattern CANONICAL_UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private Requests() {}

    /** A required id in canonical lowercase UUID form. */
    public static String id(String value, String field) {
        if (value == null || value.isEmpty()) {
            throw PolicyError.invalid(field, "is required");
        }
        if (!CANONICAL_UUID.matcher(value).matches()) {
            throw PolicyError.invalid(field, "'" + printable(value) + "' is not a UUID in canonical lowercase form");
        }
        return value;
    }

    /** An optional id filter: empty means any. */
    public static String optionalId(String value, String field) {
        return value == null || value.isEmpty() ? "" : id(value, field);
    }

    /** A display name: trimmed, 1 to 100 characters. */
    public static String name(String value, String field) {
        String trimmed = value == null ? "" : value.strip();
        int length = trimmed.codePointCount(0, trimmed.length());
        if (length == 0 || length > MAX_NAME_LENGTH) {
            throw PolicyError.invalid(field, "must be 1 to " + MAX_NAME_LENGTH + " characters (after trimming)");
        }
        return trimmed;
    }

    public static String description(String value) {
        String text = value == null ? "" : value;
        if (text.codePointCount(0, text.length()) > MAX_DESCRIPTION_LENGTH) {
            throw PolicyError.invalid("description", "is longer than " + MAX_DESCRIPTION_LENGTH + " characters");
        }
        return text;
    }

    /** The etag check of Update and Delete: empty means unconditional. */
    public static void etagMatches(String given, String current, String what, String id) {
        if (given != null && !given.isEmpty() && !given.equals(current)) {
            throw PolicyError.staleEtag(what, id);
        }
    }

    /**
     * The paths an update changes, from the request's update_mask: "*" means every mutable path;
     * an empty mask, or a path that is not mutable, is refused.
     */
    public static Set<String> mask(List<String> mask, Set<String> mutable) {
        if (mask.isEmpty()) {
            throw PolicyError.invalid("update_mask", "is required: name the fields to change, or \"*\" for all");
        }
        Set<String> paths = new LinkedHashSet<>();
        for (String path : mask) {
            if (path.equals("*")) {
                paths.addAll(mutable);
            } else if (mutable.contains(path) || mutable.stream().anyMatch(m -> path.startsWith(m + "."))) {
                paths.add(path);
            } else {
                throw PolicyError.invalid("update_mask", "'" + printable(path) + "' cannot be changed; mutable fields are " + mutable);
            }
        }
        return paths;
    }

    /** Whether a field is changed by the mask: the path itself or one of its sub-paths. */
    public static boolean changes(Set<String> paths, String field) {
        return paths.stream().anyMatch(p -> p.equals(field) || p.startsWith(field + "."));
    }

    /** A short, log-safe rendering of a value a client sent. */
    public static String printable(String value) {
        String cut = value.length() > 64 ? value.substring(0, 64) + "…" : value;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    /** A new id. */
    public static String newId() {
        return UUID.randomUUID().toString();
    }
}
