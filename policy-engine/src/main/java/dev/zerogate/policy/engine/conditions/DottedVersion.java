package dev.zerogate.policy.engine.conditions;

import dev.zerogate.policy.engine.InvalidPolicyException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An operating-system version as dotted numbers ("10.0.22631", "14.4.1"), compared component by
 * component as numbers, so that 10.0.22631 is after 10.0.9999. Missing components count as 0:
 * "14.4" equals "14.4.0" and allows "14.4.1" and "15.0", as the proto's example says.
 *
 * @param components the numbers, at least one
 */
public record DottedVersion(List<Long> components) implements Comparable<DottedVersion> {

    /** Longest version text, from the proto. */
    public static final int MAX_LENGTH = 64;

    /** Keeps every component well inside a long. */
    private static final int MAX_COMPONENT_DIGITS = 18;

    public DottedVersion {
        if (components == null || components.isEmpty()) {
            throw new IllegalArgumentException("a version has at least one component");
        }
        components = List.copyOf(components);
    }

    /**
     * Parses a version written in policy: dotted numbers only.
     *
     * @throws InvalidPolicyException naming what is wrong
     */
    public static DottedVersion parse(String text, String field) {
        if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
            throw new InvalidPolicyException(field, "must be 1 to " + MAX_LENGTH + " characters of dotted numbers, e.g. 14.4");
        }
        List<Long> parts = new ArrayList<>();
        for (String part : text.split("\\.", -1)) {
            if (part.isEmpty() || part.length() > MAX_COMPONENT_DIGITS || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new InvalidPolicyException(field, "'" + text + "' is not dotted numbers such as 10.0.22631");
            }
            parts.add(Long.parseLong(part));
        }
        return new DottedVersion(parts);
    }

    /**
     * Reads the version a device reports, leniently: the leading dotted numbers count and the rest
     * is ignored ("6.8.0-45-generic" is 6.8.0, "14.4.1 (23E224)" is 14.4.1). Empty when it does not
     * start with a number: an unknown version meets no minimum.
     */
    public static Optional<DottedVersion> readReported(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        int end = 0;
        while (end < text.length() && (Character.isDigit(text.charAt(end)) && text.charAt(end) < 128 || text.charAt(end) == '.')) {
            end++;
        }
        String numeric = text.substring(0, end);
        while (numeric.endsWith(".")) {
            numeric = numeric.substring(0, numeric.length() - 1);
        }
        try {
            return numeric.isEmpty() ? Optional.empty() : Optional.of(parse(numeric, "version"));
        } catch (InvalidPolicyException e) {
            return Optional.empty();
        }
    }

    @Override
    public int compareTo(DottedVersion other) {
        int length = Math.max(components.size(), other.components.size());
        for (int i = 0; i < length; i++) {
            long mine = i < components.size() ? components.get(i) : 0;
            long theirs = i < other.components.size() ? other.components.get(i) : 0;
            if (mine != theirs) {
                return Long.compare(mine, theirs);
            }
        }
        return 0;
    }

    /** Whether this version is at least {@code minimum}. */
    public boolean isAtLeast(DottedVersion minimum) {
        return compareTo(minimum) >= 0;
    }

    @Override
    public String toString() {
        return components.stream().map(String::valueOf).collect(Collectors.joining("."));
    }

    static DottedVersion of(long... components) {
        return new DottedVersion(Arrays.stream(components).boxed().toList());
    }
}
