package dev.zerogate.policy.engine.address;

import dev.zerogate.policy.engine.InvalidPolicyException;

import java.util.Locale;

/**
 * A DNS host name, normalised: lowercase ASCII, no trailing dot.
 *
 * <p>Rules (RFC 1123 host names, as the proto asks): at most 253 characters, labels of 1 to 63
 * characters made of letters, digits and hyphens, not starting or ending with a hyphen. The last
 * label may not be all digits, so that a mistyped IP address ("10.0.0.256") is refused instead of
 * becoming a name. Single-label names ("nas") are allowed. Non-ASCII names must be written in
 * their punycode form ("xn--...") so that two spellings cannot name one host.
 *
 * @param value the normalised name
 */
public record DnsName(String value) {

    /** Longest DNS name, RFC 1035. */
    public static final int MAX_LENGTH = 253;

    private static final int MAX_LABEL_LENGTH = 63;

    public DnsName {
        if (value == null || !value.equals(normalise(value, "name"))) {
            throw new IllegalArgumentException("not a normalised DNS name: " + value);
        }
    }

    /**
     * Parses a name: case is ignored and one trailing dot is dropped.
     *
     * @throws InvalidPolicyException naming what is wrong
     */
    public static DnsName parse(String text, String field) {
        return new DnsName(normalise(text, field));
    }

    private static String normalise(String text, String field) {
        if (text == null || text.isEmpty()) {
            throw new InvalidPolicyException(field, "is empty: write a host name such as pihole.lan");
        }
        // Checked before anything else walks the text.
        if (text.length() > MAX_LENGTH + 1) {
            throw new InvalidPolicyException(field, "is " + text.length() + " characters long; a DNS name has at most " + MAX_LENGTH);
        }
        String name = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
        if (name.isEmpty() || name.length() > MAX_LENGTH) {
            throw new InvalidPolicyException(field, "'" + text + "' is not a DNS name: it must have 1 to " + MAX_LENGTH + " characters");
        }
        if (name.indexOf('*') >= 0) {
            throw new InvalidPolicyException(field, "'" + text + "' contains '*': a wildcard is its own address kind, written '*.lab.home'");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        String[] labels = lower.split("\\.", -1);
        for (String label : labels) {
            checkLabel(label, text, field);
        }
        if (labels[labels.length - 1].chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidPolicyException(field, "'" + text + "' ends in a numeric label, so it is neither a DNS name nor a valid IP address");
        }
        return lower;
    }

    private static void checkLabel(String label, String text, String field) {
        if (label.isEmpty()) {
            throw new InvalidPolicyException(field, "'" + text + "' has an empty label (two dots in a row, or a leading dot)");
        }
        if (label.length() > MAX_LABEL_LENGTH) {
            throw new InvalidPolicyException(field, "'" + text + "' has a label of " + label.length() + " characters; at most "
                    + MAX_LABEL_LENGTH + " are allowed");
        }
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            if (!allowed) {
                String shown = c > 0x7E || c < 0x21 ? String.format("U+%04X", (int) c) : "'" + c + "'";
                throw new InvalidPolicyException(field, "'" + text + "' contains " + shown
                        + ": DNS names use letters a-z, digits and '-' (write international names in punycode, xn--...)");
            }
        }
        if (label.startsWith("-") || label.endsWith("-")) {
            throw new InvalidPolicyException(field, "'" + text + "' has the label '" + label + "', which starts or ends with '-'");
        }
    }

    /** Whether this name lies strictly below {@code suffix} ("a.lab.home" is below "lab.home"; "lab.home" is not). */
    public boolean isStrictlyBelow(DnsName suffix) {
        return value.length() > suffix.value.length() + 1
                && value.endsWith(suffix.value)
                && value.charAt(value.length() - suffix.value.length() - 1) == '.';
    }

    @Override
    public String toString() {
        return value;
    }
}
