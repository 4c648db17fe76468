package dev.zerogate.policy.engine;

import dev.zerogate.policy.engine.address.DnsName;
import dev.zerogate.policy.engine.address.ResourceAddress;
import dev.zerogate.policy.engine.conditions.AccessConditions;
import dev.zerogate.policy.engine.conditions.OperatingSystem;
import dev.zerogate.policy.engine.conditions.TimeWindow;
import dev.zerogate.policy.engine.decision.PolicySnapshot;
import dev.zerogate.policy.engine.model.AccessRule;
import dev.zerogate.policy.engine.model.Device;
import dev.zerogate.policy.engine.model.Group;
import dev.zerogate.policy.engine.model.PolicyContents;
import dev.zerogate.policy.engine.model.PortPolicy;
import dev.zerogate.policy.engine.model.PostureFlag;
import dev.zerogate.policy.engine.model.Resource;
import dev.zerogate.policy.engine.model.RuleSubject;
import dev.zerogate.policy.engine.model.Subject;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** Short builders for tests: one network, readable ids, rules created in call order. */
public final class TestPolicies {

    /** Monday 2025-06-02, 12:00 in Berlin. */
    public static final Instant NOW = Instant.parse("2025-06-02T10:00:00Z");
    public static final String NETWORK = "net-1";
    public static final String DEVICE_ID = "dev-1";

    private static final AtomicInteger RULE_SEQUENCE = new AtomicInteger();

    private TestPolicies() {}

    public static Resource resource(String id, String address) {
        return resource(id, address, PortPolicy.ALL, PortPolicy.ALL, true);
    }

    public static Resource resource(String id, String address, PortPolicy tcp, PortPolicy udp, boolean icmp) {
        return new Resource(id, NETWORK, "name of " + id, ResourceAddress.parse(address), Optional.empty(), tcp, udp, icmp);
    }

    public static Resource withAlias(Resource resource, String alias) {
        return new Resource(resource.id(), resource.networkId(), resource.name(), resource.address(),
                Optional.of(DnsName.parse(alias, "alias")), resource.tcp(), resource.udp(), resource.icmpAllowed());
    }

    public static Group group(String id, String... userIds) {
        return Group.local(id, "group " + id, Set.of(userIds), Set.of());
    }

    /** A rule for a group; each call is created one second after the previous one. */
    public static AccessRule rule(String id, String groupId, AccessConditions conditions, String... resourceIds) {
        return new AccessRule(id, "rule " + id, RuleSubject.group(groupId), Arrays.asList(resourceIds), conditions, false,
                Instant.parse("2025-01-01T00:00:00Z").plusSeconds(RULE_SEQUENCE.incrementAndGet()));
    }

    public static AccessRule disabled(AccessRule rule) {
        return new AccessRule(rule.id(), rule.name(), rule.subject(), rule.resourceIds(), rule.conditions(), true, rule.createdAt());
    }

    public static AccessRule createdAt(AccessRule rule, Instant createdAt) {
        return new AccessRule(rule.id(), rule.name(), rule.subject(), rule.resourceIds(), rule.conditions(), rule.disabled(),
                createdAt);
    }

    /** A user with MFA, signed in an hour ago, bound to {@link #DEVICE_ID}. */
    public static Subject user(String id) {
        return Subject.user(id, Set.of(), Set.of("pwd", "otp"), NOW.minus(Duration.ofHours(1)), DEVICE_ID);
    }

    public static Subject user(String id, Set<String> amr, Instant authTime) {
        return Subject.user(id, Set.of(), amr, authTime, DEVICE_ID);
    }

    /** A healthy, trusted macOS 15 device with id {@link #DEVICE_ID}. */
    public static Device device() {
        return new Device(DEVICE_ID, OperatingSystem.MACOS, Optional.of("15.0"), PostureFlag.ON, PostureFlag.ON,
                Optional.of("1.0.0"), true);
    }

    public static Device device(OperatingSystem os, String osVersion, PostureFlag disk, PostureFlag lock, String client, boolean trusted) {
        return new Device(DEVICE_ID, os, Optional.ofNullable(osVersion), disk, lock, Optional.ofNullable(client), trusted);
    }

    public static TimeWindow window(String days, String start, String end, String zone) {
        EnumSet<DayOfWeek> set = days.equals("every day") ? EnumSet.allOf(DayOfWeek.class) : EnumSet.noneOf(DayOfWeek.class);
        if (!days.equals("every day")) {
            for (String day : days.split(",")) {
                set.add(DayOfWeek.valueOf(day.strip()));
            }
        }
        return TimeWindow.of(set, start, end, zone);
    }

    public static PolicySnapshot snapshot(List<Resource> resources, List<Group> groups, List<AccessRule> rules) {
        return PolicySnapshot.build(new PolicyContents(resources, groups, rules));
    }
}
