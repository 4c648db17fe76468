package dev.zerogate.policy.engine.decision;

import dev.zerogate.policy.engine.model.Device;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ListMyResources on the home lab fixture. */
class ListMyResourcesTest {

    private static final Instant MONDAY_NOON_BERLIN = Instant.parse("2025-06-02T10:00:00Z");
    private static final Instant MONDAY_NIGHT_BERLIN = Instant.parse("2025-06-02T20:00:00Z");

    private final HomelabFixture fixture = HomelabFixture.load("golden/homelab-policy.json");
    private final PolicySnapshot snapshot = PolicySnapshot.build(fixture.policy);

    @Test
    void ownerSeesEveryResourceByConnectNameInOrder() {
        Device mac = fixture.device("mac");
        List<ReachableResource> listed = snapshot.listMyResources(fixture.subject("alice", Optional.of(mac.id())), Optional.of(mac),
                MONDAY_NOON_BERLIN);
        assertEquals(List.of("*.lab.home", "192.168.1.0/24", "dev.lab.home", "fd00:1::/64", "fd00:1::10", "pihole.zg", "router.zg",
                "server.zg"), listed.stream().map(ReachableResource::connectName).toList());
        assertTrue(listed.stream().allMatch(ReachableResource::isReachableNow));
    }

    @Test
    void allowingRulesNameTheGroupAndEveryCondition() {
        ReachableResource ssh = find(snapshot.listMyResources(fixture.subject("alice", Optional.empty()), Optional.empty(),
                MONDAY_NOON_BERLIN), "res-ssh");
        AllowingRule rule = ssh.allowedBy().get(0);
        assertEquals("owners → server SSH (healthy device)", rule.ruleName());
        assertEquals(Optional.of("grp-owners"), rule.viaGroupId());
        assertEquals(Optional.of("owners"), rule.viaGroupName());
        assertEquals(List.of("requires MFA", "requires an enrolled device",
                "requires one of Linux, macOS 14.4 or later, Windows 10.0.22631 or later", "requires disk encryption",
                "requires a screen lock", "requires client 0.4.0 or later"), rule.conditions());
        assertEquals(List.of("requires an enrolled device"), ssh.unmetConditions(), "without a device, posture is unmet");
    }

    @Test
    void resourcesBlockedRightNowAreListedWithWhatIsMissing() {
        List<ReachableResource> listed = snapshot.listMyResources(fixture.subject("alice-pwd", Optional.empty()), Optional.empty(),
                MONDAY_NOON_BERLIN);
        assertEquals(List.of("requires MFA"), find(listed, "res-pihole").unmetConditions());
        List<ReachableResource> kid = snapshot.listMyResources(fixture.subject("kid", Optional.empty()), Optional.empty(),
                MONDAY_NIGHT_BERLIN);
        assertEquals(List.of("only every day 07:00-20:00 (Europe/Berlin) or Fri, Sat 07:00-22:00 (Europe/Berlin)"),
                find(kid, "res-pihole").unmetConditions());
    }

    @Test
    void oneRuleThatHoldsMakesTheResourceReachable() {
        List<ReachableResource> listed = snapshot.listMyResources(fixture.subject("bob-pwd", Optional.empty()), Optional.empty(),
                MONDAY_NOON_BERLIN);
        ReachableResource pihole = find(listed, "res-pihole");
        assertEquals(List.of("owners → home (MFA, 8 h)", "family → pihole"),
                pihole.allowedBy().stream().map(AllowingRule::ruleName).toList());
        assertEquals(List.of(), pihole.unmetConditions());
        assertEquals(List.of("requires MFA"), find(listed, "res-router").unmetConditions());
    }

    @Test
    void disabledAndExpiredRulesListNothing() {
        assertEquals(List.of(), snapshot.listMyResources(fixture.subject("dave", Optional.empty()), Optional.empty(), MONDAY_NOON_BERLIN));
        assertEquals(List.of(), snapshot.listMyResources(fixture.subject("erin", Optional.empty()), Optional.empty(), MONDAY_NOON_BERLIN));
        assertEquals(List.of(), snapshot.listMyResources(fixture.subject("carol", Optional.empty()), Optional.empty(),
                Instant.parse("2025-09-30T00:00:00Z")));
    }

    @Test
    void serviceAccountSeesItsOwnRuleOnly() {
        List<ReachableResource> listed = snapshot.listMyResources(fixture.subject("sa-backup", Optional.empty()), Optional.empty(),
                MONDAY_NOON_BERLIN);
        assertEquals(List.of("server.zg"), listed.stream().map(ReachableResource::connectName).toList());
        assertEquals(Optional.empty(), listed.get(0).allowedBy().get(0).viaGroupId());
    }

    @Test
    void unknownCallerSeesNothing() {
        assertEquals(List.of(), snapshot.listMyResources(fixture.subject("unknown-kind", Optional.empty()), Optional.empty(),
                MONDAY_NOON_BERLIN));
    }

    private static ReachableResource find(List<ReachableResource> listed, String resourceId) {
        return listed.stream().filter(r -> r.resource().id().equals(resourceId)).findFirst()
                .orElseThrow(() -> new AssertionError(resourceId + " not listed"));
    }
}
