package dev.zerogate.policy.engine.model;

import dev.zerogate.policy.engine.InvalidPolicyException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Which ports of one protocol (TCP or UDP) a resource allows: all, none, or listed ranges.
 *
 * <p>Listed ranges are normalised on construction, as the proto stores them: sorted, with
 * overlapping and adjacent ranges merged ("80, 79-81, 443" becomes "79-81, 443"), so that equal
 * policies are equal and lookups are a short scan.
 *
 * @param mode all, none or listed
 * @param ranges the merged ranges for {@link Mode#LISTED}; empty otherwise
 */
public record PortPolicy(Mode mode, List<PortRange> ranges) {

    /** How many ranges one policy may list (before merging), from the proto. */
    public static final int MAX_RANGES = 100;

    public static final PortPolicy ALL = new PortPolicy(Mode.ALL, List.of());
    public static final PortPolicy NONE = new PortPolicy(Mode.NONE, List.of());

    /** The proto's oneof {@code mode}. */
    public enum Mode {
        ALL,
        NONE,
        LISTED
    }

    public PortPolicy {
        if (mode == null) {
            throw new InvalidPolicyException("mode", "is required: all, none or listed");
        }
        if (mode != Mode.LISTED && ranges != null && !ranges.isEmpty()) {
            throw new IllegalArgumentException("only a listed policy has ranges");
        }
        ranges = mode == Mode.LISTED ? merge(ranges) : List.of();
    }

    /**
     * Only these ranges, 1 to {@value #MAX_RANGES} of them.
     *
     * @throws InvalidPolicyException when empty or too many
     */
    public static PortPolicy listed(Collection<PortRange> ranges) {
        return new PortPolicy(Mode.LISTED, List.copyOf(ranges));
    }

    /** Only these ranges, written "80", "443", "3000-3999". */
    public static PortPolicy listed(String... ranges) {
        List<PortRange> parsed = new ArrayList<>();
        for (String range : ranges) {
            parsed.add(PortRange.parse(range));
        }
        return listed(parsed);
    }

    private static List<PortRange> merge(List<PortRange> ranges) {
        if (ranges == null || ranges.isEmpty()) {
            throw new InvalidPolicyException("ranges", "list at least one port or range, or use 'none' to close the protocol");
        }
        if (ranges.size() > MAX_RANGES) {
            throw new InvalidPolicyException("ranges", "has " + ranges.size() + " entries; at most " + MAX_RANGES
                    + " are allowed (use ranges such as 3000-3999)");
        }
        List<PortRange> sorted = new ArrayList<>(ranges);
        sorted.sort(null);
        List<PortRange> merged = new ArrayList<>();
        PortRange current = sorted.get(0);
        for (PortRange next : sorted.subList(1, sorted.size())) {
            if (next.first() <= current.last() + 1) {
                current = new PortRange(current.first(), Math.max(current.last(), next.last()));
            } else {
                merged.add(current);
                current = next;
            }
        }
        merged.add(current);
        return List.copyOf(merged);
    }

    /** Whether {@code port} is allowed. Ports outside 1..65535 never are. */
    public boolean allows(int port) {
        if (port < PortRange.MIN_PORT || port > PortRange.MAX_PORT) {
            return false;
        }
        return switch (mode) {
            case ALL -> true;
            case NONE -> false;
            case LISTED -> ranges.stream().anyMatch(r -> r.contains(port));
        };
    }

    /** Human form: "all ports", "no ports", "80, 443, 3000-3999". */
    public String describe() {
        return switch (mode) {
            case ALL -> "all ports";
            case NONE -> "no ports";
            case LISTED -> ranges.stream().map(PortRange::toString).collect(Collectors.joining(", "));
        };
    }
}
