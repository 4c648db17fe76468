package dev.zerogate.policy.engine.address;

import dev.zerogate.policy.engine.InvalidPolicyException;

/**
 * Where a resource is: a name, a wildcard, one IP address or a CIDR prefix, always normalised
 * (lowercase names without trailing dot, canonical IP text, CIDR with host bits cleared), so that
 * two spellings of one address are equal and {@link #text()} is the stored form.
 */
public sealed interface ResourceAddress {

    /** The form of this address. */
    AddressKind kind();

    /** The normalised text, as stored and shown ("pihole.lan", "*.lab.home", "fd00::5", "10.0.0.0/24"). */
    String text();

    /** Whether the address names exactly one host, so that an alias can stand for it. */
    default boolean isSingleHost() {
        return kind() == AddressKind.FQDN || kind() == AddressKind.IP_ADDRESS;
    }

    /**
     * Parses an address of a known kind (the gRPC adapter knows it from the oneof).
     *
     * @throws InvalidPolicyException with a message naming what is wrong
     */
    public static ResourceAddress parse(AddressKind kind, String text) {
        if (kind == null) {
            throw new InvalidPolicyException("address", "has no kind: set one of fqdn, wildcard, ip_address, cidr");
        }
        return switch (kind) {
            case FQDN -> new Fqdn(DnsName.parse(text, "address.fqdn"));
            case WILDCARD -> Wildcard.parse(text);
            case IP_ADDRESS -> new SingleIp(IpAddress.parse(text, "address.ip_address"));
            case CIDR -> Cidr.parse(text);
        };
    }

    /**
     * Parses an address whose kind is read from its text: "*." starts a wildcard, "/" makes a
     * CIDR, an IP address is an IP address, anything else a name. For fixtures and tools.
     */
    static ResourceAddress parse(String text) {
        if (text == null) {
            throw new InvalidPolicyException("address", "is required");
        }
        if (text.startsWith("*")) {
            return parse(AddressKind.WILDCARD, text);
        }
        if (text.indexOf('/') >= 0) {
            return parse(AddressKind.CIDR, text);
        }
        if (text.indexOf(':') >= 0 || text.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'))) {
            return parse(AddressKind.IP_ADDRESS, text);
        }
        return parse(AddressKind.FQDN, text);
    }

    /** A DNS name, resolved by the connector inside the private network. */
    record Fqdn(DnsName name) implements ResourceAddress {
        public Fqdn {
            if (name == null) {
                throw new IllegalArgumentException("name is required");
            }
        }

        @Override
        public AddressKind kind() {
            return AddressKind.FQDN;
        }

        @Override
        public String text() {
            return name.value();
        }
    }

    /**
     * "*." followed by a DNS name. Matches every name under the suffix at any depth
     * ("a.lab.home", "x.y.lab.home") and, as the proto says, NOT the suffix itself ("lab.home"):
     * give the bare name its own FQDN resource if it should be reachable.
     */
    record Wildcard(DnsName suffix) implements ResourceAddress {
        public Wildcard {
            if (suffix == null) {
                throw new IllegalArgumentException("suffix is required");
            }
            if (suffix.value().length() + 2 > DnsName.MAX_LENGTH) {
                throw new InvalidPolicyException("address.wildcard", "is longer than " + DnsName.MAX_LENGTH + " characters");
            }
        }

        static Wildcard parse(String text) {
            String field = "address.wildcard";
            if (text == null || !text.startsWith("*.") || text.length() < 3) {
                throw new InvalidPolicyException(field, "'" + text + "' is not a wildcard: write '*.' followed by a name, e.g. *.lab.home");
            }
            if (text.length() > DnsName.MAX_LENGTH + 1) {
                throw new InvalidPolicyException(field, "is " + text.length() + " characters long; at most " + DnsName.MAX_LENGTH);
            }
            String rest = text.substring(2);
            if (rest.indexOf('*') >= 0) {
                throw new InvalidPolicyException(field, "'" + text + "' has a '*' after the first label: only a leading '*.' is supported");
            }
            return new Wildcard(DnsName.parse(rest, field));
        }

        /** Whether {@code name} is strictly below the suffix. */
        public boolean matches(DnsName name) {
            return name.isStrictlyBelow(suffix);
        }

        @Override
        public AddressKind kind() {
            return AddressKind.WILDCARD;
        }

        @Override
        public String text() {
            return "*." + suffix.value();
        }
    }

    /** One IPv4 or IPv6 address. */
    record SingleIp(IpAddress address) implements ResourceAddress {
        public SingleIp {
            if (address == null) {
                throw new IllegalArgumentException("address is required");
            }
        }

        @Override
        public AddressKind kind() {
            return AddressKind.IP_ADDRESS;
        }

        @Override
        public String text() {
            return address.toString();
        }
    }

    /**
     * An IPv4 prefix of /8 to /32 or an IPv6 prefix of /32 to /128 (the proto's lower bounds keep
     * a single resource from swallowing the internet). Host bits set in the text are cleared, as
     * the proto stores it normalised: "192.168.1.7/24" becomes "192.168.1.0/24".
     */
    record Cidr(IpAddress network, int prefixLength) implements ResourceAddress {

        /** Shortest prefix allowed per family, from the proto. */
        public static int minimumPrefix(IpFamily family) {
            return family == IpFamily.V4 ? 8 : 32;
        }

        public Cidr {
            if (network == null) {
                throw new IllegalArgumentException("network is required");
            }
            int min = minimumPrefix(network.family());
            if (prefixLength < min || prefixLength > network.family().bits()) {
                throw new InvalidPolicyException("address.cidr", "prefix /" + prefixLength + " is out of range: an "
                        + (network.family() == IpFamily.V4 ? "IPv4" : "IPv6") + " prefix must be /" + min + " to /" + network.family().bits());
            }
            network = network.masked(prefixLength);
        }

        static Cidr parse(String text) {
            String field = "address.cidr";
            if (text == null || text.length() > 64) {
                throw new InvalidPolicyException(field, "must be a prefix such as 10.0.0.0/24 or fd00::/64");
            }
            int slash = text.indexOf('/');
            if (slash < 0 || slash != text.lastIndexOf('/')) {
                throw new InvalidPolicyException(field, "'" + text + "' is not a CIDR: write address/prefix, e.g. 192.168.1.0/24");
            }
            String lengthText = text.substring(slash + 1);
            if (lengthText.isEmpty() || lengthText.length() > 3 || !lengthText.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new InvalidPolicyException(field, "'" + text + "' has no valid prefix length after '/'");
            }
            IpAddress network = IpAddress.parseRaw(text.substring(0, slash), field);
            int prefixLength = Integer.parseInt(lengthText);
            if (network.isIpv4Mapped() && prefixLength >= 96) {
                // Destinations in ::ffff:0:0/96 are matched as the IPv4 addresses they stand for.
                throw new InvalidPolicyException(field, "'" + text + "' is an IPv4-mapped IPv6 prefix: write it as an IPv4 CIDR");
            }
            return new Cidr(network, prefixLength);
        }

        /** Whether {@code address} lies in this prefix (same family only). */
        public boolean contains(IpAddress address) {
            return address.family() == network.family() && address.masked(prefixLength).equals(network);
        }

        @Override
        public AddressKind kind() {
            return AddressKind.CIDR;
        }

        @Override
        public String text() {
            return network + "/" + prefixLength;
        }
    }
}
