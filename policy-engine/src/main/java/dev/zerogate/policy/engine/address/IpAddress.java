package dev.zerogate.policy.engine.address;

import dev.zerogate.policy.engine.InvalidPolicyException;

import java.util.Optional;

/**
 * An IPv4 or IPv6 address as numbers, so that every textual form of one address is equal.
 *
 * <p>Parsing is strict and does no I/O (unlike {@code InetAddress.getByName}, which would
 * resolve names): IPv4 only as four decimal octets without leading zeros (so "010.0.0.1" is
 * refused rather than guessed as octal or decimal); IPv6 in every RFC 4291 form (full,
 * compressed, upper or lower case, with an embedded IPv4 tail). A zone index ("fe80::1%eth0")
 * and brackets are refused, as the proto says.
 *
 * <p>An IPv4-mapped IPv6 address ("::ffff:192.168.1.1") is normalised to the IPv4 address it
 * reaches, so that policy written for 192.168.1.1 applies to it too, both ways.
 *
 * <p>IPv4 addresses keep their 32 bits in the low bits of {@link #low()}; {@link #high()} is 0.
 *
 * @param family the family
 * @param high the upper 64 bits (IPv6 only)
 * @param low the lower 64 bits (IPv6) or the 32-bit IPv4 value
 */
public record IpAddress(IpFamily family, long high, long low) implements Comparable<IpAddress> {

    /** Longer than any textual address (45 characters for IPv6 with an IPv4 tail). */
    private static final int MAX_TEXT_LENGTH = 64;

    private static final long IPV4_MASK = 0xFFFF_FFFFL;

    public IpAddress {
        if (family == null) {
            throw new IllegalArgumentException("family is required");
        }
        if (family == IpFamily.V4 && (high != 0 || (low & ~IPV4_MASK) != 0)) {
            throw new IllegalArgumentException("an IPv4 address has 32 bits");
        }
    }

    /** The IPv4 address with this 32-bit value. */
    public static IpAddress v4(int value) {
        return new IpAddress(IpFamily.V4, 0, value & IPV4_MASK);
    }

    /** The IPv6 address with these 128 bits (not normalised: used for prefixes and tests). */
    public static IpAddress v6(long high, long low) {
        return new IpAddress(IpFamily.V6, high, low);
    }

    /**
     * Parses a host address, normalising IPv4-mapped IPv6 to IPv4.
     *
     * @throws InvalidPolicyException with a message naming what is wrong
     */
    public static IpAddress parse(String text, String field) {
        IpAddress raw = parseRaw(text, field);
        return raw.isIpv4Mapped() ? v4((int) raw.low) : raw;
    }

    /** Like {@link #parse} but empty instead of an exception. */
    public static Optional<IpAddress> tryParse(String text) {
        try {
            return Optional.of(parse(text, "address"));
        } catch (InvalidPolicyException e) {
            return Optional.empty();
        }
    }

    /** Parses without the IPv4-mapped normalisation: the network part of an IPv6 CIDR. */
    static IpAddress parseRaw(String text, String field) {
        if (text == null || text.isEmpty()) {
            throw new InvalidPolicyException(field, "is empty: write an address such as 10.0.0.5 or fd00::5");
        }
        if (text.length() > MAX_TEXT_LENGTH) {
            throw new InvalidPolicyException(field, "is " + text.length() + " characters long, too long for an IP address");
        }
        if (text.indexOf('%') >= 0) {
            throw new InvalidPolicyException(field, "'" + text + "' has a zone index (%...): zone indexes are not allowed, remove it");
        }
        if (text.startsWith("[")) {
            throw new InvalidPolicyException(field, "'" + text + "': write the IPv6 address without brackets");
        }
        return text.indexOf(':') >= 0 ? parseV6(text, field) : v4(parseV4(text, text, field));
    }

    private static int parseV4(String part, String whole, String field) {
        String[] octets = part.split("\\.", -1);
        if (octets.length != 4) {
            throw new InvalidPolicyException(field, "'" + whole + "' is not an IPv4 address: it needs four numbers separated by dots");
        }
        int value = 0;
        for (String octet : octets) {
            if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new InvalidPolicyException(field, "'" + whole + "' is not an IPv4 address: '" + octet + "' is not a number from 0 to 255");
            }
            if (octet.length() > 1 && octet.charAt(0) == '0') {
                throw new InvalidPolicyException(field, "'" + whole + "' has leading zeros in '" + octet
                        + "', which some tools read as octal: write it without them");
            }
            int n = Integer.parseInt(octet);
            if (n > 255) {
                throw new InvalidPolicyException(field, "'" + whole + "' is not an IPv4 address: " + n + " is above 255");
            }
            value = (value << 8) | n;
        }
        return value;
    }

    private static IpAddress parseV6(String text, String field) {
        String hexText = text;
        int lastColon = text.lastIndexOf(':');
        if (text.indexOf('.', lastColon) >= 0) {
            // An embedded IPv4 tail ("::ffff:1.2.3.4") stands for the last two 16-bit groups.
            int v4 = parseV4(text.substring(lastColon + 1), text, field);
            hexText = text.substring(0, lastColon + 1) + Integer.toHexString(v4 >>> 16) + ":" + Integer.toHexString(v4 & 0xFFFF);
        }
        int doubleColon = hexText.indexOf("::");
        if (doubleColon >= 0 && hexText.indexOf("::", doubleColon + 1) >= 0) {
            throw new InvalidPolicyException(field, "'" + text + "' is not an IPv6 address: '::' may appear only once");
        }
        int[] groups = new int[8];
        if (doubleColon < 0) {
            int count = parseGroups(hexText, groups, 0, text, field);
            if (count != 8) {
                throw new InvalidPolicyException(field, "'" + text + "' is not an IPv6 address: it has " + count
                        + " groups, 8 are needed (or use '::')");
            }
        } else {
            int[] right = new int[8];
            int leftCount = parseGroups(hexText.substring(0, doubleColon), groups, 0, text, field);
            int rightCount = parseGroups(hexText.substring(doubleColon + 2), right, 0, text, field);
            if (leftCount + rightCount > 7) {
                throw new InvalidPolicyException(field, "'" + text + "' is not an IPv6 address: too many groups around '::'");
            }
            System.arraycopy(right, 0, groups, 8 - rightCount, rightCount);
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < 4; i++) {
            high = (high << 16) | groups[i];
            low = (low << 16) | groups[i + 4];
        }
        return v6(high, low);
    }

    /** Parses colon-separated hex groups into {@code into}; an empty text is zero groups. */
    private static int parseGroups(String part, int[] into, int start, String whole, String field) {
        if (part.isEmpty()) {
            return 0;
        }
        String[] groups = part.split(":", -1);
        if (groups.length > 8) {
            throw new InvalidPolicyException(field, "'" + whole + "' is not an IPv6 address: more than 8 groups");
        }
        for (int i = 0; i < groups.length; i++) {
            String g = groups[i];
            if (g.isEmpty() || g.length() > 4 || !g.chars().allMatch(IpAddress::isHexDigit)) {
                throw new InvalidPolicyException(field, "'" + whole + "' is not an IPv6 address: '" + g
                        + "' is not a group of 1 to 4 hex digits");
            }
            into[start + i] = Integer.parseInt(g, 16);
        }
        return groups.length;
    }

    private static boolean isHexDigit(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** Whether this is ::ffff:a.b.c.d, the IPv6 form of an IPv4 address. */
    boolean isIpv4Mapped() {
        return family == IpFamily.V6 && high == 0 && (low >>> 32) == 0xFFFFL;
    }

    /** This address with every bit after the first {@code prefixLength} cleared. */
    public IpAddress masked(int prefixLength) {
        if (prefixLength < 0 || prefixLength > family.bits()) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " outside 0.." + family.bits());
        }
        if (family == IpFamily.V4) {
            return new IpAddress(family, 0, low & (mask64(prefixLength + 32) & IPV4_MASK));
        }
        if (prefixLength <= 64) {
            return new IpAddress(family, high & mask64(prefixLength), 0);
        }
        return new IpAddress(family, high, low & mask64(prefixLength - 64));
    }

    /** A 64-bit mask with the top {@code n} bits set, 0 <= n <= 64. */
    private static long mask64(int n) {
        return n == 0 ? 0 : n >= 64 ? -1L : -1L << (64 - n);
    }

    /** Canonical text: dotted decimal, or RFC 5952 for IPv6 (lowercase, longest zero run as ::). */
    @Override
    public String toString() {
        if (family == IpFamily.V4) {
            return (low >>> 24 & 0xFF) + "." + (low >>> 16 & 0xFF) + "." + (low >>> 8 & 0xFF) + "." + (low & 0xFF);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 4; i++) {
            groups[i] = (int) (high >>> (48 - 16 * i) & 0xFFFF);
            groups[i + 4] = (int) (low >>> (48 - 16 * i) & 0xFFFF);
        }
        int bestStart = -1;
        int bestLength = 1; // RFC 5952: a single zero group is not compressed.
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    @Override
    public int compareTo(IpAddress other) {
        int byFamily = family.compareTo(other.family);
        if (byFamily != 0) {
            return byFamily;
        }
        int byHigh = Long.compareUnsigned(high, other.high);
        return byHigh != 0 ? byHigh : Long.compareUnsigned(low, other.low);
    }
}
