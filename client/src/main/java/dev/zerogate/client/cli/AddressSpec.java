package dev.zerogate.client.cli;

import dev.zerogate.proto.policy.v1.ResourceAddress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A resource address as written on the command line, its kind inferred: {@code *.} first → a
 * wildcard; a {@code /} → a CIDR; an IPv4 or IPv6 literal → an IP address; anything else → a
 * DNS name. Names are never resolved: the connector resolves them inside the private network,
 * where they may mean something else than here. The server checks and normalises each form.
 */
public final class AddressSpec {

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");
    /** What an IPv6 literal may contain (an embedded IPv4 part included); parsed only when it matches. */
    private static final Pattern IPV6_CHARACTERS = Pattern.compile("[0-9A-Fa-f:.]+");

    private AddressSpec() {
    }

    /** @throws IllegalArgumentException when the text is empty or only looks like an IP address */
    static ResourceAddress parse(String text) {
        String address = text == null ? "" : text.strip();
        if (address.isEmpty()) {
            throw new IllegalArgumentException("the address is empty: give a name (nas.lan), a wildcard (*.lab.home), "
                    + "an IP address (10.0.0.5, fd00::5) or a CIDR (10.0.0.0/24)");
        }
        if (address.startsWith("*.")) {
            return ResourceAddress.newBuilder().setWildcard(address).build();
        }
        if (address.contains("/")) {
            return ResourceAddress.newBuilder().setCidr(address).build();
        }
        if (isIpv4(address)) {
            return ResourceAddress.newBuilder().setIpAddress(address).build();
        }
        if (DIGITS_AND_DOTS.matcher(address).matches()) {
            throw new IllegalArgumentException("'" + address + "' looks like an IPv4 address but is not one (four numbers 0 to 255)");
        }
        String unbracketed = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
        if (unbracketed.contains(":")) {
            if (!isIpv6(unbracketed)) {
                throw new IllegalArgumentException("'" + address + "' is not an IPv6 address, nor a name (a name has no ':'; "
                        + "give the port with --tcp or --udp, not in the address)");
            }
            return ResourceAddress.newBuilder().setIpAddress(unbracketed).build();
        }
        return ResourceAddress.newBuilder().setFqdn(address).build();
    }

    static boolean isIpv4(String text) {
        Matcher matcher = IPV4.matcher(text);
        if (!matcher.matches()) {
            return false;
        }
        for (int i = 1; i <= 4; i++) {
            if (Integer.parseInt(matcher.group(i)) > 255) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code text} is an IPv6 literal. InetAddress parses, and does not look up, a string
     * that starts with a hex digit or ':' and contains ':' — which the character check ensures.
     */
    static boolean isIpv6(String text) {
        if (!IPV6_CHARACTERS.matcher(text).matches() || !text.contains(":")) {
            return false;
        }
        try {
            // Not "instanceof Inet6Address": Java turns IPv4-mapped literals (::ffff:10.0.0.5) into Inet4Address.
            return InetAddress.getByName(text) != null;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The address as written in it, whatever its kind. */
    public static String render(ResourceAddress address) {
        switch (address.getKindCase()) {
            case FQDN:
                return address.getFqdn();
            case WILDCARD:
                return address.getWildcard();
            case IP_ADDRESS:
                return address.getIpAddress();
            case CIDR:
                return address.getCidr();
            default:
                return "";
        }
    }

    /** "fqdn", "wildcard", "ip_address" or "cidr", as the proto names the forms. */
    public static String kind(ResourceAddress address) {
        switch (address.getKindCase()) {
            case FQDN:
                return "fqdn";
            case WILDCARD:
                return "wildcard";
            case IP_ADDRESS:
                return "ip_address";
            case CIDR:
                return "cidr";
            default:
                return "";
        }
    }
}
