package dev.zerogate.policy.engine.decision;

import dev.zerogate.policy.engine.address.Destination;
import dev.zerogate.policy.engine.address.DnsName;
import dev.zerogate.policy.engine.address.IpAddress;
import dev.zerogate.policy.engine.address.ResourceAddress;
import dev.zerogate.policy.engine.model.PortPolicy;
import dev.zerogate.policy.engine.model.Resource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The index against a naive linear scan that applies the specificity rules literally, over
 * thousands of random resources and destinations drawn from small name and address spaces so
 * that exact hits, nested wildcards and nested prefixes are common. Fixed seed: a failure
 * reproduces.
 */
class ResourceIndexRandomizedTest {

    private static final long SEED = 20250602L;
    private static final String[] LABELS = {"a", "b", "c", "lab", "home", "k8s", "dev"};

    private final Random random = new Random(SEED);

    @Test
    void indexedLookupAgreesWithLinearScan() {
        List<Resource> resources = randomResources(10_000);
        ResourceIndex index = ResourceIndex.build(resources);
        int matched = 0;
        for (int i = 0; i < 20_000; i++) {
            Destination destination = randomDestination();
            Optional<Resource> expected = naiveMostSpecific(resources, destination);
            Optional<Resource> actual = index.match(destination);
            assertEquals(expected.map(Resource::id), actual.map(Resource::id), "destination " + destination);
            if (expected.isPresent()) {
                matched++;
            }
        }
        assertTrue(matched > 5_000, "the test should mostly hit resources, hit " + matched);
    }

    /** The specification, literally: exact name or alias over the longest wildcard; exact IP over the longest prefix. */
    static Optional<Resource> naiveMostSpecific(List<Resource> resources, Destination destination) {
        Resource best = null;
        int bestScore = -1;
        for (Resource resource : resources) {
            int score = score(resource, destination);
            if (score > bestScore) {
                best = resource;
                bestScore = score;
            }
        }
        return Optional.ofNullable(best);
    }

    /** -1 for no match; higher is more specific. Exact matches beat every wildcard or prefix. */
    private static int score(Resource resource, Destination destination) {
        ResourceAddress address = resource.address();
        if (destination instanceof Destination.HostName host) {
            DnsName name = host.name();
            boolean exact = (address instanceof ResourceAddress.Fqdn fqdn && fqdn.name().equals(name))
                    || resource.alias().map(name::equals).orElse(false);
            if (exact) {
                return 1_000;
            }
            if (address instanceof ResourceAddress.Wildcard wildcard && wildcard.matches(name)) {
                return wildcard.suffix().value().length();
            }
            return -1;
        }
        IpAddress ip = ((Destination.Ip) destination).address();
        if (address instanceof ResourceAddress.SingleIp single && single.address().equals(ip)) {
            return 1_000;
        }
        if (address instanceof ResourceAddress.Cidr cidr && cidr.contains(ip)) {
            return cidr.prefixLength();
        }
        return -1;
    }

    private List<Resource> randomResources(int count) {
        List<Resource> resources = new ArrayList<>();
        Set<String> usedKeys = new HashSet<>();
        while (resources.size() < count) {
            ResourceAddress address = switch (random.nextInt(6)) {
                case 0 -> new ResourceAddress.Fqdn(randomName());
                case 1 -> new ResourceAddress.Wildcard(randomName());
                case 2 -> new ResourceAddress.SingleIp(randomV4());
                case 3 -> new ResourceAddress.Cidr(randomV4(), 8 + random.nextInt(25));
                case 4 -> new ResourceAddress.SingleIp(randomV6());
                default -> new ResourceAddress.Cidr(randomV6(), 32 + random.nextInt(97));
            };
            Optional<DnsName> alias = address.isSingleHost() && random.nextInt(4) == 0 ? Optional.of(randomName()) : Optional.empty();
            String addressKey = address.text();
            if (usedKeys.contains(addressKey) || alias.map(a -> usedKeys.contains(a.value()) || a.value().equals(addressKey)).orElse(false)) {
                continue;
            }
            usedKeys.add(addressKey);
            alias.ifPresent(a -> usedKeys.add(a.value()));
            resources.add(new Resource("res-" + resources.size(), "net", "r" + resources.size(), address, alias, PortPolicy.ALL,
                    PortPolicy.ALL, false));
        }
        return resources;
    }

    private Destination randomDestination() {
        return switch (random.nextInt(3)) {
            case 0 -> new Destination.HostName(randomName());
            case 1 -> new Destination.Ip(randomV4());
            default -> new Destination.Ip(randomV6());
        };
    }

    private DnsName randomName() {
        int depth = 1 + random.nextInt(5);
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            if (i > 0) {
                name.append('.');
            }
            name.append(LABELS[random.nextInt(LABELS.length)]);
        }
        return new DnsName(name.toString());
    }

    /** 10.x.y.z with small x and y so that prefixes nest. */
    private IpAddress randomV4() {
        int value = (10 << 24) | (random.nextInt(4) << 16) | (random.nextInt(8) << 8) | random.nextInt(256);
        return IpAddress.v4(value);
    }

    /** fd00:000g:...: a few bits spread over the whole address so that prefixes of every length nest. */
    private IpAddress randomV6() {
        long high = 0xfd00_0000_0000_0000L | ((long) random.nextInt(4) << 32) | ((long) random.nextInt(4) << 16);
        long low = ((long) random.nextInt(4) << 48) | random.nextInt(16);
        return IpAddress.v6(high, low);
    }
}
