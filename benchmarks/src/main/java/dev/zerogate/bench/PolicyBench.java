package dev.zerogate.bench;

import dev.zerogate.policy.engine.address.ResourceAddress;
import dev.zerogate.policy.engine.conditions.AccessConditions;
import dev.zerogate.policy.engine.conditions.OperatingSystem;
import dev.zerogate.policy.engine.conditions.TimeWindow;
import dev.zerogate.policy.engine.decision.PolicySnapshot;
import dev.zerogate.policy.engine.decision.Verdict;
import dev.zerogate.policy.engine.model.AccessRule;
import dev.zerogate.policy.engine.model.Device;
import dev.zerogate.policy.engine.model.Group;
import dev.zerogate.policy.engine.model.PolicyContents;
import dev.zerogate.policy.engine.model.PortPolicy;
import dev.zerogate.policy.engine.model.PostureFlag;
import dev.zerogate.policy.engine.model.Protocol;
import dev.zerogate.policy.engine.model.Resource;
import dev.zerogate.policy.engine.model.RuleSubject;
import dev.zerogate.policy.engine.model.Subject;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * The policy decision function in-process with 10,000 resources and 1,000 rules (issue 4's
 * size): decisions per second on one thread and the latency of single decisions. Baseline in
 * the same run: a HashMap lookup of the destination among the 10,000 resource names, the
 * least any lookup-based decision could cost.
 */
final class PolicyBench {

    private static final int RESOURCES = 10_000;
    private static final int RULES = 1_000;
    private static final int GROUPS = 50;
    private static final int REQUESTS = 4_096;

    private PolicyBench() {
    }

    static void run() throws Exception {
        Random random = new Random(42);
        List<Resource> resources = new ArrayList<>();
        List<String> destinations = new ArrayList<>();
        for (int i = 0; i < RESOURCES; i++) {
            String address;
            String destination;
            switch (i % 10) {
                case 0 -> {
                    address = "*.zone-" + i + ".lab";
                    destination = "host.zone-" + i + ".lab";
                }
                case 1 -> {
                    address = "10." + (i / 256 % 256) + "." + (i % 256) + ".0/24";
                    destination = "10." + (i / 256 % 256) + "." + (i % 256) + ".7";
                }
                case 2, 3 -> {
                    address = "172.16." + (i / 256 % 256) + "." + (i % 256);
                    destination = address;
                }
                default -> {
                    address = "host-" + i + ".site-" + (i % 97) + ".lab";
                    destination = address;
                }
            }
            resources.add(new Resource("r" + i, "net-" + (i % 5), "resource " + i, ResourceAddress.parse(address),
                    Optional.empty(), PortPolicy.ALL, PortPolicy.ALL, false));
            destinations.add(destination);
        }
        List<Group> groups = new ArrayList<>();
        for (int g = 0; g < GROUPS; g++) {
            groups.add(Group.local("g" + g, "group " + g, Set.of("user-" + g, "user-bench"), Set.of()));
        }
        Instant created = Instant.parse("2026-01-01T00:00:00Z");
        List<AccessRule> rules = new ArrayList<>();
        for (int r = 0; r < RULES; r++) {
            List<String> granted = new ArrayList<>();
            for (int k = 0; k < 10; k++) {
                granted.add("r" + ((r * 10 + k) % RESOURCES));
            }
            AccessConditions conditions = switch (r % 4) {
                case 0 -> AccessConditions.NONE;
                case 1 -> AccessConditions.NONE.withRequireMfa(true).withMaxAuthAge(Duration.ofHours(8));
                case 2 -> AccessConditions.NONE.withTimeWindows(List.of(TimeWindow.of(EnumSet.allOf(DayOfWeek.class),
                        "06:00", "23:00", "Europe/Berlin")));
                default -> AccessConditions.NONE.withRequireMfa(true);
            };
            rules.add(new AccessRule("rule-" + r, "rule " + r, RuleSubject.group("g" + (r % GROUPS)), granted, conditions, false,
                    created.plusSeconds(r)));
        }
        long buildStart = System.nanoTime();
        PolicySnapshot policy = PolicySnapshot.build(new PolicyContents(resources, groups, rules));
        double buildMillis = (System.nanoTime() - buildStart) / 1e6;

        Instant now = Instant.parse("2026-06-02T10:00:00Z");
        Subject subject = Subject.user("user-bench", Set.of(), Set.of("pwd", "otp"), now.minus(Duration.ofHours(1)), "dev-1");
        Optional<Device> device = Optional.of(new Device("dev-1", OperatingSystem.LINUX, Optional.of("6.8.0"), PostureFlag.ON,
                PostureFlag.ON, Optional.of("0.1.0"), false));
        String[] requests = new String[REQUESTS];
        for (int i = 0; i < REQUESTS; i++) {
            requests[i] = random.nextInt(10) == 0 ? "unknown-" + i + ".example" : destinations.get(random.nextInt(RESOURCES));
        }
        Map<String, Resource> byName = new HashMap<>();
        for (int i = 0; i < RESOURCES; i++) {
            byName.put(destinations.get(i), resources.get(i));
        }

        int[] index = {0};
        int[] permits = {0};
        double decisionRate = Bench.rate(() -> {
            if (policy.decide(subject, device, requests[index[0]++ & (REQUESTS - 1)], 443, Protocol.TCP, now).verdict() == Verdict.PERMIT) {
                permits[0]++;
            }
        });
        double lookupRate = Bench.rate(() -> {
            if (byName.get(requests[index[0]++ & (REQUESTS - 1)]) == null) {
                permits[0]--;
            }
        });
        long[] latencies = new long[20_000];
        for (int i = 0; i < latencies.length; i++) {
            long start = System.nanoTime();
            policy.decide(subject, device, requests[i & (REQUESTS - 1)], 443, Protocol.TCP, now);
            latencies[i] = System.nanoTime() - start;
        }
        Arrays.sort(latencies);
        long permitted = Arrays.stream(requests).filter(d -> policy.decide(subject, device, d, 443, Protocol.TCP, now).verdict()
                == Verdict.PERMIT).count();

        System.out.println();
        System.out.printf("policy decisions in-process, %,d resources, %,d rules, one thread (snapshot built in %.0f ms)%n",
                RESOURCES, RULES, buildMillis);
        System.out.printf("  decide()                        %,10.0f decisions/s   p50 %6.1f µs   p99 %6.1f µs   (%d%% of requests permitted)%n",
                decisionRate, latencies[latencies.length / 2] / 1e3, latencies[latencies.length * 99 / 100] / 1e3,
                permitted * 100 / REQUESTS);
        System.out.printf("  baseline: HashMap lookup only   %,10.0f lookups/s%n", lookupRate);
    }
}
