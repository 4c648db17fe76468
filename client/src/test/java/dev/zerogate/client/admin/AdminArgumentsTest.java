package dev.zerogate.client.admin;

import com.google.protobuf.util.Durations;
import dev.zerogate.client.cli.PortSpec;
import dev.zerogate.client.cli.WindowSpec;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.GroupMember;
import dev.zerogate.proto.policy.v1.GroupSource;
import dev.zerogate.proto.policy.v1.PortPolicy;
import dev.zerogate.proto.policy.v1.Resource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the admin commands would send, from their arguments alone (no server). */
class AdminArgumentsTest {

    static <T> T parsed(T command, String... args) {
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void aResourceUpdateMasksExactlyTheOptionsGiven() {
        AdminResources.Update update = parsed(new AdminResources.Update(), "r1", "--tcp", "22,8000-8080", "--no-icmp", "--alias", "");
        assertEquals(List.of("alias", "tcp", "icmp_allowed"), update.mask().getPathsList());
        Resource changes = update.changes();
        assertEquals("r1", changes.getId());
        assertEquals("22,8000-8080", PortSpec.render(changes.getTcp()));
        assertFalse(changes.getIcmpAllowed());
        assertEquals("", changes.getAlias());
        assertFalse(changes.hasUdp());
    }

    @Test
    void aResourceUpdateOfTheAddressInfersItsKind() {
        AdminResources.Update update = parsed(new AdminResources.Update(), "r1", "--address", "fd00::/64", "--icmp", "--name", "lab");
        assertEquals(List.of("name", "address", "icmp_allowed"), update.mask().getPathsList());
        assertEquals("fd00::/64", update.changes().getAddress().getCidr());
        assertTrue(update.changes().getIcmpAllowed());
    }

    @Test
    void aRuleCarriesItsConditionsOnlyWhenSomeAreGiven() {
        AdminRules.Create plain = parsed(new AdminRules.Create(), "--name", "r", "--group", "g1", "--resource", "a,b", "--resource", "c");
        AccessRule rule = plain.rule();
        assertEquals("g1", rule.getGroupId());
        assertEquals(List.of("a", "b", "c"), rule.getResourceIdsList());
        assertFalse(rule.hasConditions());
        assertFalse(rule.getDisabled());

        AdminRules.Create strict = parsed(new AdminRules.Create(), "--name", "r", "--service-account", "sa", "--resource", "a",
                "--require-mfa", "--max-auth-age", "8h", "--expires-at", "2026-12-31T00:00:00Z",
                "--window", "Mon-Fri 08:00-18:00 Europe/Berlin", "--window", "Sat,Sun 22:00-06:00 UTC", "--disabled");
        rule = strict.rule();
        assertEquals("sa", rule.getServiceAccountId());
        assertTrue(rule.getConditions().getRequireMfa());
        assertEquals(Durations.fromHours(8), rule.getConditions().getMaxAuthAge());
        assertEquals(1798675200L, rule.getConditions().getExpiresAt().getSeconds());
        assertEquals(2, rule.getConditions().getTimeWindowsCount());
        assertEquals("Sat,Sun 22:00-06:00 UTC", WindowSpec.render(rule.getConditions().getTimeWindows(1)));
        assertTrue(rule.getDisabled());
        assertEquals(List.of("mfa", "max-auth-age 8h", "Mon-Fri 08:00-18:00 Europe/Berlin", "Sat,Sun 22:00-06:00 UTC",
                "expires 2026-12-31T00:00:00Z"), AdminRules.conditions(rule.getConditions()));
    }

    @Test
    void aGroupIsLocalWithMembersOrSyncedFromTheIdp() {
        AdminGroups.Create local = parsed(new AdminGroups.Create(), "--name", "family", "--member-user", "u1,u2",
                "--member-service-account", "s1");
        assertEquals(GroupSource.GROUP_SOURCE_LOCAL, local.group().getSource());
        assertEquals(List.of(GroupMember.newBuilder().setUserId("u1").build(), GroupMember.newBuilder().setUserId("u2").build(),
                GroupMember.newBuilder().setServiceAccountId("s1").build()), local.group().getMembersList());

        AdminGroups.Create synced = parsed(new AdminGroups.Create(), "--name", "staff", "--idp-group", "zerogate-staff");
        assertEquals(GroupSource.GROUP_SOURCE_IDP_SYNC, synced.group().getSource());
        assertEquals("zerogate-staff", synced.group().getIdpGroupName());
    }

    @Test
    void addingAMemberKeepsTheOthersAndAddingItAgainChangesNothing() {
        GroupMember ana = GroupMember.newBuilder().setUserId("u1").setDisplayName("ana@example.com").build();
        AdminGroups.AddMember add = parsed(new AdminGroups.AddMember(), "g1", "--user", "u2");
        List<GroupMember> changed = add.change(List.of(ana));
        assertEquals(List.of(GroupMember.newBuilder().setUserId("u1").build(), GroupMember.newBuilder().setUserId("u2").build()), changed);
        assertNull(parsed(new AdminGroups.AddMember(), "g1", "--user", "u1").change(List.of(ana)));
    }

    @Test
    void removingAMemberKeepsTheOthersAndRemovingANonMemberChangesNothing() {
        List<GroupMember> members = List.of(GroupMember.newBuilder().setUserId("u1").build(),
                GroupMember.newBuilder().setServiceAccountId("u2").build());
        assertEquals(List.of(GroupMember.newBuilder().setServiceAccountId("u2").build()),
                parsed(new AdminGroups.RemoveMember(), "g1", "--user", "u1").change(members));
        // A service account with the same id as a user is a different member.
        assertNull(parsed(new AdminGroups.RemoveMember(), "g1", "--user", "u2").change(members));
    }

    @Test
    void unsetPortPoliciesOfAResourceShowAsAll() {
        assertEquals("tcp all; udp all; icmp no", PortSpec.summary(Resource.getDefaultInstance().getTcp(),
                PortPolicy.getDefaultInstance(), false));
    }
}
