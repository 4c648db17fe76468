package dev.zerogate.client.cli;

import dev.zerogate.proto.policy.v1.AllPorts;
import dev.zerogate.proto.policy.v1.NoPorts;
import dev.zerogate.proto.policy.v1.PortPolicy;
import dev.zerogate.proto.policy.v1.PortRange;
import dev.zerogate.proto.policy.v1.PortRanges;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A resource's ports for one protocol as written on the command line and shown in tables:
 * {@code all}, {@code none}, or a list of ports and inclusive ranges such as
 * {@code 22,80,8000-8080}. {@link #render} gives back text that {@link #parse} reads to the
 * same policy. Overlaps are left to the server, which merges them on save.
 */
public final class PortSpec {

    /** The contract's limit on ranges per policy. */
    static final int MAX_RANGES = 100;
    static final int MAX_PORT = 65535;
    private static final Pattern ENTRY = Pattern.compile("(\\d+)(?:-(\\d+))?");
    private static final String EXAMPLE = "write all, none, or ports and ranges like 22,80,8000-8080";

    private PortSpec() {
    }

    /** @throws IllegalArgumentException naming what is wrong */
    static PortPolicy parse(String text) {
        String spec = text == null ? "" : text.strip();
        switch (spec.toLowerCase(Locale.ROOT)) {
            case "all":
                return PortPolicy.newBuilder().setAll(AllPorts.getDefaultInstance()).build();
            case "none":
                return PortPolicy.newBuilder().setNone(NoPorts.getDefaultInstance()).build();
            case "":
                throw new IllegalArgumentException("no ports given: " + EXAMPLE);
            default:
                break;
        }
        String[] entries = spec.split(",", -1);
        if (entries.length > MAX_RANGES) {
            throw new IllegalArgumentException(entries.length + " ports and ranges given; at most " + MAX_RANGES);
        }
        PortRanges.Builder ranges = PortRanges.newBuilder();
        for (String raw : entries) {
            String entry = raw.strip();
            Matcher matcher = ENTRY.matcher(entry);
            if (!matcher.matches()) {
                throw new IllegalArgumentException(entry.isEmpty() ? "an empty entry in '" + spec + "': " + EXAMPLE
                        : "'" + entry + "' is not a port or a range of ports: " + EXAMPLE);
            }
            int first = port(matcher.group(1));
            int last = matcher.group(2) == null ? first : port(matcher.group(2));
            if (last < first) {
                throw new IllegalArgumentException("the range " + entry + " ends before it starts");
            }
            ranges.addRanges(PortRange.newBuilder().setFirstPort(first).setLastPort(last));
        }
        return PortPolicy.newBuilder().setListed(ranges).build();
    }

    private static int port(String digits) {
        // More than five digits cannot be a port; do not let a long string overflow the parse.
        long value = digits.length() > 5 ? Long.MAX_VALUE : Long.parseLong(digits);
        if (value < 1 || value > MAX_PORT) {
            throw new IllegalArgumentException("port " + (digits.length() > 12 ? digits.substring(0, 12) + "..." : digits)
                    + " is out of range: ports are 1 to " + MAX_PORT);
        }
        return (int) value;
    }

    /** "all", "none" or "22,80,8000-8080"; an unset policy is "all", its meaning on create. */
    public static String render(PortPolicy policy) {
        switch (policy.getModeCase()) {
            case NONE:
                return "none";
            case LISTED:
                return policy.getListed().getRangesList().stream()
                        .map(r -> r.getFirstPort() == r.getLastPort() ? Integer.toString(r.getFirstPort())
                                : r.getFirstPort() + "-" + r.getLastPort())
                        .collect(Collectors.joining(","));
            case ALL:
            case MODE_NOT_SET:
            default:
                return "all";
        }
    }

    /** A resource's reach in one cell: "tcp 80,443; udp none; icmp no". */
    /** What a person can reach of a resource today: the data plane carries TCP only (UDP and ICMP flows are refused). */
    public static String reachable(PortPolicy tcp) {
        return "tcp " + render(tcp);
    }

    /** Whether a resource's policy allows more than the data plane carries today (UDP ports, ICMP). */
    public static boolean allowsUncarried(PortPolicy udp, boolean icmp) {
        return icmp || udp.getModeCase() != PortPolicy.ModeCase.NONE;
    }

    public static String summary(PortPolicy tcp, PortPolicy udp, boolean icmp) {
        return "tcp " + render(tcp) + "; udp " + render(udp) + "; icmp " + (icmp ? "yes" : "no");
    }
}
