package dev.zerogate.policy.engine.model;

import dev.zerogate.policy.engine.InvalidPolicyException;

/**
 * An inclusive range of ports, 1 to 65535. A single port has {@code first == last}.
 *
 * @param first first port of the range
 * @param last last port of the range, at least {@code first}
 */
public record PortRange(int first, int last) implements Comparable<PortRange> {

    public static final int MIN_PORT = 1;
    public static final int MAX_PORT = 65535;

    public PortRange {
        checkBounds(first);
        checkBounds(last);
        if (last < first) {
            throw new InvalidPolicyException("ranges", "range " + first + "-" + last + " is inverted: write " + last + "-" + first);
        }
    }

    /** One port. */
    public static PortRange single(int port) {
        return new PortRange(port, port);
    }

    /**
     * Parses "443" or "3000-3999".
     *
     * @throws InvalidPolicyException naming what is wrong
     */
    public static PortRange parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 11) {
            throw new InvalidPolicyException("ranges", "'" + text + "' is not a port or range such as 443 or 3000-3999");
        }
        int dash = text.indexOf('-');
        if (dash < 0) {
            return single(parsePort(text, text));
        }
        return new PortRange(parsePort(text.substring(0, dash), text), parsePort(text.substring(dash + 1), text));
    }

    private static int parsePort(String number, String whole) {
        if (number.isEmpty() || number.length() > 5 || !number.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidPolicyException("ranges", "'" + whole + "' is not a port or range such as 443 or 3000-3999");
        }
        return Integer.parseInt(number);
    }

    private static void checkBounds(int port) {
        if (port < MIN_PORT || port > MAX_PORT) {
            throw new InvalidPolicyException("ranges", "port " + port + " is out of range: ports are " + MIN_PORT + " to " + MAX_PORT);
        }
    }

    /** Whether {@code port} is in the range. */
    public boolean contains(int port) {
        return port >= first && port <= last;
    }

    @Override
    public int compareTo(PortRange other) {
        return first != other.first ? Integer.compare(first, other.first) : Integer.compare(last, other.last);
    }

    @Override
    public String toString() {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }
}
