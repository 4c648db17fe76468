package dev.zerogate.policy.engine.conditions;

import dev.zerogate.policy.engine.InvalidPolicyException;

import java.util.List;
import java.util.Optional;

/**
 * A zerogate client version, Semantic Versioning 2.0.0: "0.4.0", "1.2.3-rc.1", "1.2.3+build.5".
 * Precedence follows the spec: major, minor, patch numerically; a pre-release sorts before its
 * release ("0.4.0-rc.1" is below "0.4.0"); build metadata is ignored.
 *
 * @param major major version
 * @param minor minor version
 * @param patch patch version
 * @param preRelease dot-separated pre-release identifiers; empty for a release
 */
public record SemanticVersion(long major, long minor, long patch, List<String> preRelease)
        implements Comparable<SemanticVersion> {

    /** Longest version text, from the proto. */
    public static final int MAX_LENGTH = 64;

    public SemanticVersion {
        preRelease = preRelease == null ? List.of() : List.copyOf(preRelease);
    }

    /**
     * Parses a version written in policy.
     *
     * @throws InvalidPolicyException naming what is wrong
     */
    public static SemanticVersion parse(String text, String field) {
        if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
            throw new InvalidPolicyException(field, "must be a semantic version of 1 to " + MAX_LENGTH + " characters, e.g. 0.4.0");
        }
        String withoutBuild = text.contains("+") ? text.substring(0, text.indexOf('+')) : text;
        int dash = withoutBuild.indexOf('-');
        String core = dash < 0 ? withoutBuild : withoutBuild.substring(0, dash);
        String[] numbers = core.split("\\.", -1);
        if (numbers.length != 3) {
            throw new InvalidPolicyException(field, "'" + text + "' is not a semantic version: write MAJOR.MINOR.PATCH, e.g. 0.4.0");
        }
        long[] parsed = new long[3];
        for (int i = 0; i < 3; i++) {
            parsed[i] = parseNumber(numbers[i], text, field);
        }
        List<String> pre = List.of();
        if (dash >= 0) {
            pre = List.of(withoutBuild.substring(dash + 1).split("\\.", -1));
            for (String identifier : pre) {
                if (identifier.isEmpty() || !identifier.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 128 || c == '-')) {
                    throw new InvalidPolicyException(field, "'" + text + "' has an invalid pre-release part '" + identifier + "'");
                }
            }
        }
        return new SemanticVersion(parsed[0], parsed[1], parsed[2], pre);
    }

    /** Reads a version a device reports; empty when it is not a semantic version (it then meets no minimum). */
    public static Optional<SemanticVersion> readReported(String text) {
        try {
            return Optional.of(parse(text, "client_version"));
        } catch (InvalidPolicyException e) {
            return Optional.empty();
        }
    }

    private static long parseNumber(String number, String text, String field) {
        if (number.isEmpty() || number.length() > 18 || !number.chars().allMatch(c -> c >= '0' && c <= '9')
                || (number.length() > 1 && number.charAt(0) == '0')) {
            throw new InvalidPolicyException(field, "'" + text + "' is not a semantic version: '" + number
                    + "' must be a number without leading zeros");
        }
        return Long.parseLong(number);
    }

    @Override
    public int compareTo(SemanticVersion other) {
        int byCore = major != other.major ? Long.compare(major, other.major)
                : minor != other.minor ? Long.compare(minor, other.minor)
                : Long.compare(patch, other.patch);
        if (byCore != 0) {
            return byCore;
        }
        if (preRelease.isEmpty() || other.preRelease.isEmpty()) {
            // A release is above any of its pre-releases.
            return Boolean.compare(preRelease.isEmpty(), other.preRelease.isEmpty());
        }
        for (int i = 0; i < Math.min(preRelease.size(), other.preRelease.size()); i++) {
            int byIdentifier = compareIdentifiers(preRelease.get(i), other.preRelease.get(i));
            if (byIdentifier != 0) {
                return byIdentifier;
            }
        }
        return Integer.compare(preRelease.size(), other.preRelease.size());
    }

    /** SemVer 11.4: numeric identifiers numerically and below alphanumeric ones, which compare as ASCII. */
    private static int compareIdentifiers(String a, String b) {
        boolean aNumeric = a.chars().allMatch(c -> c >= '0' && c <= '9');
        boolean bNumeric = b.chars().allMatch(c -> c >= '0' && c <= '9');
        if (aNumeric && bNumeric) {
            return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
        }
        if (aNumeric != bNumeric) {
            return aNumeric ? -1 : 1;
        }
        return a.compareTo(b);
    }

    /** Whether this version is at least {@code minimum}. */
    public boolean isAtLeast(SemanticVersion minimum) {
        return compareTo(minimum) >= 0;
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch + (preRelease.isEmpty() ? "" : "-" + String.join(".", preRelease));
    }
}
