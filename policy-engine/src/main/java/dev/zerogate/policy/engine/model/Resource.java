package dev.zerogate.policy.engine.model;

import dev.zerogate.policy.engine.InvalidPolicyException;
import dev.zerogate.policy.engine.address.DnsName;
import dev.zerogate.policy.engine.address.ResourceAddress;

import java.util.Optional;

/**
 * Something in a remote network that access rules can grant.
 *
 * @param id resource id
 * @param networkId the remote network whose connectors reach it
 * @param name display name, e.g. "Pi-hole admin"
 * @param address where it is; unique across all networks
 * @param alias a DNS name clients may use instead of the address; only for single-host addresses
 * @param tcp TCP ports allowed
 * @param udp UDP ports allowed
 * @param icmpAllowed whether ICMP echo is allowed
 */
public record Resource(
        String id,
        String networkId,
        String name,
        ResourceAddress address,
        Optional<DnsName> alias,
        PortPolicy tcp,
        PortPolicy udp,
        boolean icmpAllowed) {

    public Resource {
        Names.requireId(id, "id");
        Names.requireId(networkId, "remote_network_id");
        name = Names.requireName(name, "name");
        if (address == null) {
            throw new InvalidPolicyException("address", "is required");
        }
        alias = alias == null ? Optional.empty() : alias;
        if (tcp == null || udp == null) {
            throw new InvalidPolicyException(tcp == null ? "tcp" : "udp", "is required (the API defaults an unset policy to all)");
        }
    }

    /** The name to use with `zerogate connect`: the alias if set, else the address as stored. */
    public String connectName() {
        return alias.map(DnsName::value).orElse(address.text());
    }

    /** Whether the resource allows this protocol and port. Unknown protocols never are. */
    public boolean allows(Protocol protocol, int port) {
        if (protocol == null) {
            return false;
        }
        return switch (protocol) {
            case TCP -> tcp.allows(port);
            case UDP -> udp.allows(port);
            case ICMP -> icmpAllowed;
            case UNSPECIFIED -> false;
        };
    }

    /** Whether no flow at all can reach it: TCP none, UDP none and ICMP off. */
    public boolean isClosed() {
        return tcp.mode() == PortPolicy.Mode.NONE && udp.mode() == PortPolicy.Mode.NONE && !icmpAllowed;
    }

    /** "'Pi-hole admin' (pihole.lan)", for messages. */
    public String describe() {
        return "'" + name + "' (" + address.text() + ")";
    }
}
