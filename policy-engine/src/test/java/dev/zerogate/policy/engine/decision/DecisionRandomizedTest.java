package dev.zerogate.policy.engine.decision;

import dev.zerogate.policy.engine.address.Destination;
import dev.zerogate.policy.engine.address.DnsName;
import dev.zerogate.policy.engine.address.IpAddress;
import dev.zerogate.policy.engine.address.ResourceAddress;
import dev.zerogate.policy.engine.conditions.AccessConditions;
import dev.zerogate.policy.engine.model.AccessRule;
import dev.zerogate.policy.engine.model.Group;
import dev.zerogate.policy.engine.model.GroupSource;
import dev.zerogate.policy.engine.model.PolicyContents;
import dev.zerogate.policy.engine.model.PortPolicy;
import dev.zerogate.policy.engine.model.PortRange;
import dev.zerogate.policy.engine.model.Protocol;
import dev.zerogate.policy.engine.model.Resource;
import dev.zerogate.policy.engine.model.RuleSubject;
import dev.zerogate.policy.engine.model.Subject;
import dev.zerogate.policy.engine.model.SubjectKind;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole decisions against a naive reference that reads the specification literally: the most
 * specific resource by a linear scan, then every rule of the policy scanned in evaluation order.
 * It checks what the indexes of {@link PolicySnapshot} could get wrong: rules found by resource,
 * group membership (local members and the groups claim), concealment before the port check,
 * rule order with ties on created_at, disabled and expired rules, and which rule a deny names.
 * Conditions are limited to MFA and expiry, whose failures the reference can rank without
 * re-implementing the engine. Fixed seed: a failure reproduces.
 */
class DecisionRandomizedTest {

    private static final long SEED = 20250603L;
    private static final Instant NOW = Instant.parse("2025-06-02T10:00:00Z");
    private static final String[] LABELS = {"a", "b", "lab", "home", "dev"};
    private static final int[] PORTS = {22, 53, 80, 443, 3000, 8080};

    private final Random random = new Random(SEED);

    @Test
    void indexedDecisionsAgreeWithALinearReading() {
        List<Resource> resources = randomResources(2_000);
        List<Group> groups = randomGroups(30);
        List<AccessRule> rules = randomRules(400, resources, groups);
        List<Subject> subjects = randomSubjects();
        PolicySnapshot snapshot = PolicySnapshot.build(new PolicyContents(resources, groups, rules));
        List<AccessRule> inOrder = new ArrayList<>(rules);
        inOrder.sort(AccessRule.EVALUATION_ORDER);

        Map<DenyReason, Integer> seen = new EnumMap<>(DenyReason.class);
        for (int i = 0; i < 20_000; i++) {
            Subject subject = subjects.get(random.nextInt(subjects.size()));
            String destination = randomDestinationText();
            Protocol protocol = Protocol.values()[1 + random.nextInt(3)];
            int port = protocol == Protocol.ICMP ? 0 : PORTS[random.nextInt(PORTS.length)];
            Expected expected = reference(resources, groups, inOrder, subject, destination, port, protocol);
            Decision actual = snapshot.decide(subject, Optional.empty(), destination, port, protocol, NOW);
            String request = subject.id() + " → " + destination + ":" + port + "/" + protocol;
            assertEquals(expected.reason(), actual.denyReason(), request);
            assertEquals(expected.ruleId(), actual.rule().map(AccessRule::id), request);
            assertEquals(expected.resourceId(), actual.resource().map(Resource::id), request);
            seen.merge(actual.denyReason(), 1, Integer::sum);
        }
        for (DenyReason reason : List.of(DenyReason.UNSPECIFIED, DenyReason.NO_MATCHING_RESOURCE, DenyReason.PORT_NOT_ALLOWED,
                DenyReason.NO_MATCHING_RULE, DenyReason.MFA_REQUIRED, DenyReason.RULE_EXPIRED)) {
            assertTrue(seen.getOrDefault(reason, 0) >= 50, "too few " + reason + " cases to mean anything: " + seen);
        }
    }

    private record Expected(DenyReason reason, Optional<String> ruleId, Optional<String> resourceId) {}

    /** The specification, step by step, with no index. */
    private static Expected reference(List<Resource> resources, List<Group> groups, List<AccessRule> rulesInOrder, Subject subject,
            String destinationText, int port, Protocol protocol) {
        Destination destination = Destination.parse(destinationText);
        Optional<Resource> match = ResourceIndexRandomizedTest.naiveMostSpecific(resources, destination);
        if (match.isEmpty()) {
            return new Expected(DenyReason.NO_MATCHING_RESOURCE, Optional.empty(), Optional.empty());
        }
        Resource resource = match.get();
        List<AccessRule> callers = rulesInOrder.stream()
                .filter(rule -> rule.resourceIds().contains(resource.id()) && isFor(rule, subject, groups))
                .toList();
        if (callers.isEmpty()) {
            return new Expected(DenyReason.NO_MATCHING_RESOURCE, Optional.empty(), Optional.empty());
        }
        Optional<String> resourceId = Optional.of(resource.id());
        if (!resource.allows(protocol, port)) {
            return new Expected(DenyReason.PORT_NOT_ALLOWED, Optional.empty(), resourceId);
        }
        boolean hasMfa = subject.amr().contains("otp");
        List<AccessRule> active = callers.stream()
                .filter(rule -> !rule.disabled() && rule.conditions().expiresAt().map(NOW::isBefore).orElse(true))
                .toList();
        for (AccessRule rule : active) {
            if (!rule.conditions().requireMfa() || hasMfa) {
                return new Expected(DenyReason.UNSPECIFIED, Optional.of(rule.id()), resourceId);
            }
        }
        if (!active.isEmpty()) {
            return new Expected(DenyReason.MFA_REQUIRED, Optional.of(active.get(0).id()), resourceId);
        }
        // The rule that expired last; on a tie, the first in evaluation order.
        Optional<AccessRule> lastExpired = callers.stream()
                .filter(rule -> !rule.disabled() && rule.conditions().expiresAt().isPresent())
                .reduce((a, b) -> b.conditions().expiresAt().get().isAfter(a.conditions().expiresAt().get()) ? b : a);
        if (lastExpired.isPresent()) {
            return new Expected(DenyReason.RULE_EXPIRED, lastExpired.map(AccessRule::id), resourceId);
        }
        return new Expected(DenyReason.NO_MATCHING_RULE, Optional.empty(), resourceId);
    }

    private static boolean isFor(AccessRule rule, Subject subject, List<Group> groups) {
        if (rule.subject().kind() == RuleSubject.Kind.SERVICE_ACCOUNT) {
            return subject.kind() == SubjectKind.SERVICE_ACCOUNT && subject.id().equals(rule.subject().id());
        }
        for (Group group : groups) {
            if (!group.id().equals(rule.subject().id())) {
                continue;
            }
            if (group.source() == GroupSource.IDP_SYNC) {
                return subject.kind() == SubjectKind.USER && subject.groupsClaim().contains(group.idpGroupName().get());
            }
            return subject.kind() == SubjectKind.USER ? group.userIds().contains(subject.id())
                    : group.serviceAccountIds().contains(subject.id());
        }
        return false; // a rule for a group that does not exist is for nobody
    }

    private List<Resource> randomResources(int count) {
        List<Resource> resources = new ArrayList<>();
        Set<String> used = new HashSet<>();
        while (resources.size() < count) {
            ResourceAddress address = switch (random.nextInt(4)) {
                case 0 -> new ResourceAddress.Fqdn(new DnsName(randomName()));
                case 1 -> new ResourceAddress.Wildcard(new DnsName(randomName()));
                case 2 -> new ResourceAddress.SingleIp(IpAddress.v4(randomV4()));
                default -> new ResourceAddress.Cidr(IpAddress.v4(randomV4()), 16 + random.nextInt(17));
            };
            if (!used.add(address.text())) {
                continue;
            }
            resources.add(new Resource("res-" + resources.size(), "net", "r" + resources.size(), address, Optional.empty(),
                    randomPorts(), randomPorts(), random.nextBoolean()));
        }
        return resources;
    }

    private PortPolicy randomPorts() {
        return switch (random.nextInt(4)) {
            case 0 -> PortPolicy.ALL;
            case 1 -> PortPolicy.NONE;
            default -> PortPolicy.listed(List.of(PortRange.single(PORTS[random.nextInt(PORTS.length)]),
                    new PortRange(3000, 3000 + random.nextInt(1000))));
        };
    }

    private List<Group> randomGroups(int count) {
        List<Group> groups = new ArrayList<>();
        for (int g = 0; g < count; g++) {
            if (g % 3 == 0) {
                groups.add(Group.idpSync("grp-" + g, "group " + g, "idp-" + g));
            } else {
                Set<String> users = new HashSet<>();
                Set<String> accounts = new HashSet<>();
                for (int k = random.nextInt(6); k > 0; k--) {
                    users.add("user-" + random.nextInt(20));
                }
                if (random.nextInt(4) == 0) {
                    accounts.add("sa-" + random.nextInt(5));
                }
                groups.add(Group.local("grp-" + g, "group " + g, users, accounts));
            }
        }
        return groups;
    }

    private List<AccessRule> randomRules(int count, List<Resource> resources, List<Group> groups) {
        List<AccessRule> rules = new ArrayList<>();
        for (int r = 0; r < count; r++) {
            RuleSubject subject = switch (random.nextInt(8)) {
                case 0 -> RuleSubject.serviceAccount("sa-" + random.nextInt(5));
                case 1 -> RuleSubject.group("grp-missing-" + r);
                default -> RuleSubject.group(groups.get(random.nextInt(groups.size())).id());
            };
            Set<String> listed = new LinkedHashSet<>();
            for (int k = 1 + random.nextInt(60); k > 0; k--) {
                listed.add(resources.get(random.nextInt(resources.size())).id());
            }
            AccessConditions conditions = AccessConditions.NONE.withRequireMfa(random.nextInt(3) == 0);
            if (random.nextInt(3) == 0) {
                // Whole hours around NOW, so that several rules share one expiry and NOW itself is hit.
                conditions = conditions.withExpiresAt(NOW.plus(Duration.ofHours(random.nextInt(5) - 3)));
            }
            // Few distinct creation times, so that ties broken by id are common.
            Instant createdAt = Instant.parse("2025-01-01T00:00:00Z").plus(Duration.ofDays(random.nextInt(20)));
            rules.add(new AccessRule("rule-" + String.format("%03d", random.nextInt(1000)) + "-" + r, "rule " + r, subject,
                    List.copyOf(listed), conditions, random.nextInt(8) == 0, createdAt));
        }
        Collections.shuffle(rules, random);
        return rules;
    }

    private List<Subject> randomSubjects() {
        List<Subject> subjects = new ArrayList<>();
        for (int u = 0; u < 20; u++) {
            Set<String> claim = new HashSet<>();
            for (int k = random.nextInt(4); k > 0; k--) {
                claim.add("idp-" + 3 * random.nextInt(10));
            }
            Set<String> amr = random.nextBoolean() ? Set.of("pwd", "otp") : Set.of("pwd");
            subjects.add(Subject.user("user-" + u, claim, amr, NOW.minusSeconds(60), null));
        }
        for (int s = 0; s < 5; s++) {
            subjects.add(Subject.serviceAccount("sa-" + s, NOW.minusSeconds(60), null));
        }
        return subjects;
    }

    private String randomDestinationText() {
        if (random.nextBoolean()) {
            return randomName();
        }
        int v4 = randomV4();
        return (v4 >>> 24) + "." + (v4 >>> 16 & 0xFF) + "." + (v4 >>> 8 & 0xFF) + "." + (v4 & 0xFF);
    }

    private String randomName() {
        List<String> labels = new ArrayList<>();
        for (int depth = 1 + random.nextInt(4); depth > 0; depth--) {
            labels.add(LABELS[random.nextInt(LABELS.length)]);
        }
        return String.join(".", labels);
    }

    /** 10.0-3.0-7.x, so that prefixes nest and exact hits are common. */
    private int randomV4() {
        return (10 << 24) | (random.nextInt(4) << 16) | (random.nextInt(8) << 8) | random.nextInt(64);
    }
}
