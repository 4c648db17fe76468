package dev.zerogate.policy.engine.decision;

import dev.zerogate.policy.engine.address.Destination;
import dev.zerogate.policy.engine.address.IpAddress;
import dev.zerogate.policy.engine.address.IpFamily;
import dev.zerogate.policy.engine.address.ResourceAddress;
import dev.zerogate.policy.engine.model.Resource;

import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Finds the most specific resource for a destination without scanning every resource.
 *
 * <ul>
 *   <li>Names: exact FQDN addresses and aliases in one hash map; then wildcards by walking the
 *       name's suffixes from the longest ("b.lab.home" before "lab.home" for "a.b.lab.home"), one
 *       hash lookup each, so the longest wildcard suffix wins.
 *   <li>IP addresses: exact addresses in a hash map; then, per family, one hash map per prefix
 *       length present, probed from the longest length down, so the longest prefix wins. That is
 *       at most 25 probes for IPv4 (/8 to /32) and 97 for IPv6, usually a handful.
 * </ul>
 *
 * A host name never matches an IP or CIDR resource and an IP address never matches a name: the
 * engine does not resolve names (the connector resolves them inside the private network, after
 * the decision), so a name is authorised as a name and an address as an address.
 */
final class ResourceIndex {

    private final Map<String, Resource> byNameOrAlias = new HashMap<>();
    private final Map<String, Resource> wildcardBySuffix = new HashMap<>();
    private final Map<IpAddress, Resource> byIp = new HashMap<>();
    private final Map<IpFamily, TreeMap<Integer, Map<IpAddress, Resource>>> cidrsByFamily = new EnumMap<>(IpFamily.class);

    private ResourceIndex() {}

    /**
     * Indexes resources.
     *
     * @throws IllegalArgumentException when two resources share an address or an alias (validated
     *     policy never does; refusing here keeps a bad snapshot from being served)
     */
    static ResourceIndex build(Collection<Resource> resources) {
        ResourceIndex index = new ResourceIndex();
        for (Resource resource : resources) {
            ResourceAddress address = resource.address();
            if (address instanceof ResourceAddress.Fqdn fqdn) {
                put(index.byNameOrAlias, fqdn.text(), resource);
            } else if (address instanceof ResourceAddress.Wildcard wildcard) {
                put(index.wildcardBySuffix, wildcard.suffix().value(), resource);
            } else if (address instanceof ResourceAddress.SingleIp ip) {
                put(index.byIp, ip.address(), resource);
            } else if (address instanceof ResourceAddress.Cidr cidr) {
                put(index.cidrsByFamily.computeIfAbsent(cidr.network().family(), f -> new TreeMap<>())
                        .computeIfAbsent(cidr.prefixLength(), p -> new HashMap<>()), cidr.network(), resource);
            }
            resource.alias().ifPresent(alias -> put(index.byNameOrAlias, alias.value(), resource));
        }
        return index;
    }

    private static <K> void put(Map<K, Resource> map, K key, Resource resource) {
        Resource previous = map.putIfAbsent(key, resource);
        if (previous != null) {
            throw new IllegalArgumentException("address or alias '" + key + "' is used by both " + previous.describe()
                    + " and " + resource.describe());
        }
    }

    /** The most specific resource for the destination, if any. */
    Optional<Resource> match(Destination destination) {
        if (destination instanceof Destination.HostName host) {
            return matchName(host.name().value());
        }
        return matchIp(((Destination.Ip) destination).address());
    }

    private Optional<Resource> matchName(String name) {
        Resource exact = byNameOrAlias.get(name);
        if (exact != null) {
            return Optional.of(exact);
        }
        // Suffixes strictly shorter than the name, longest first: a wildcard never matches its own suffix.
        for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
            Resource wildcard = wildcardBySuffix.get(name.substring(dot + 1));
            if (wildcard != null) {
                return Optional.of(wildcard);
            }
        }
        return Optional.empty();
    }

    private Optional<Resource> matchIp(IpAddress address) {
        Resource exact = byIp.get(address);
        if (exact != null) {
            return Optional.of(exact);
        }
        TreeMap<Integer, Map<IpAddress, Resource>> byLength = cidrsByFamily.get(address.family());
        if (byLength == null) {
            return Optional.empty();
        }
        for (Map.Entry<Integer, Map<IpAddress, Resource>> level : byLength.descendingMap().entrySet()) {
            Resource cidr = level.getValue().get(address.masked(level.getKey()));
            if (cidr != null) {
                return Optional.of(cidr);
            }
        }
        return Optional.empty();
    }
}
