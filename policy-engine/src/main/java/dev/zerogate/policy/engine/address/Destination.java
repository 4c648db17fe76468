package dev.zerogate.policy.engine.address;

import dev.zerogate.policy.engine.InvalidPolicyException;

/**
 * Where a caller wants to go, as written: a host name or an IP address. Never a wildcard or CIDR.
 */
public sealed interface Destination {

    /** A host name: matched against FQDN addresses, aliases and wildcards only. */
    record HostName(DnsName name) implements Destination {}

    /** An IP address: matched against IP and CIDR addresses only. */
    record Ip(IpAddress address) implements Destination {}

    /**
     * Reads a destination. Text that has a ':' or is only digits and dots is an IP address (so
     * "10.0.0.256" is a bad address, not a name); anything else must be a DNS name.
     *
     * @throws InvalidPolicyException naming what is wrong
     */
    static Destination parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidPolicyException("destination", "is empty: write a host name or an IP address");
        }
        // Checked before any parsing walks the text.
        if (text.length() > DnsName.MAX_LENGTH + 1) {
            throw new InvalidPolicyException("destination", "is " + text.length() + " characters long; at most " + DnsName.MAX_LENGTH);
        }
        boolean looksNumeric = text.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
        if (text.indexOf(':') >= 0 || text.startsWith("[") || looksNumeric) {
            return new Ip(IpAddress.parse(text, "destination"));
        }
        return new HostName(DnsName.parse(text, "destination"));
    }
}
