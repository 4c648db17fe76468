package dev.zerogate.policy.engine.spec;

import dev.zerogate.policy.engine.address.AddressKind;
import dev.zerogate.policy.engine.address.ResourceAddress;
import dev.zerogate.policy.engine.model.PortPolicy;
import dev.zerogate.policy.engine.model.PortRange;

import java.util.List;
import java.util.Optional;

/**
 * A resource as written.
 *
 * @param id resource id
 * @param networkId the remote network's id
 * @param name display name, untrimmed
 * @param address where it is
 * @param alias a DNS name to use instead of the address; empty for none
 * @param tcp TCP ports
 * @param udp UDP ports
 * @param icmpAllowed whether ICMP echo is allowed
 */
public record ResourceSpec(String id, String networkId, String name, Address address, String alias, Ports tcp, Ports udp,
                           boolean icmpAllowed) {

    public ResourceSpec {
        id = id == null ? "" : id;
        networkId = networkId == null ? "" : networkId;
        name = name == null ? "" : name;
        address = address == null ? Address.UNSET : address;
        alias = alias == null ? "" : alias;
        tcp = tcp == null ? Ports.UNSET : tcp;
        udp = udp == null ? Ports.UNSET : udp;
    }

    /**
     * An address of one kind, or none.
     *
     * @param kind the form; empty when none was given
     * @param text the address as written
     */
    public record Address(Optional<AddressKind> kind, String text) {

        public static final Address UNSET = new Address(Optional.empty(), "");

        public Address {
            kind = kind == null ? Optional.empty() : kind;
            text = text == null ? "" : text;
        }

        /** The normalised address, as stored. */
        public static Address of(ResourceAddress address) {
            return new Address(Optional.of(address.kind()), address.text());
        }
    }

    /**
     * Which ports of one protocol are allowed.
     *
     * @param mode all, none or listed; empty when none was given, which means all
     * @param ranges the ranges of a listed policy, as written
     */
    public record Ports(Optional<PortPolicy.Mode> mode, List<Range> ranges) {

        public static final Ports UNSET = new Ports(Optional.empty(), List.of());

        public Ports {
            mode = mode == null ? Optional.empty() : mode;
            ranges = ranges == null ? List.of() : List.copyOf(ranges);
        }

        /** The policy as stored: listed ranges merged. */
        public static Ports of(PortPolicy ports) {
            return new Ports(Optional.of(ports.mode()), ports.ranges().stream().map(r -> new Range(r.first(), r.last())).toList());
        }
    }

    /**
     * An inclusive range of ports as written; the API's ports are unsigned 32-bit numbers.
     *
     * @param first first port
     * @param last last port
     */
    public record Range(long first, long last) {

        /** The range as the engine reads it; a number past an int is out of range, not negative. */
        PortRange toPortRange() {
            return new PortRange(clamped(first), clamped(last));
        }

        private static int clamped(long port) {
            return port < 0 || port > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) port;
        }
    }
}
