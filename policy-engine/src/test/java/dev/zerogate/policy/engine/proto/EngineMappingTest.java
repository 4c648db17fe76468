package dev.zerogate.policy.engine.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import dev.zerogate.policy.engine.InvalidPolicyException;
import dev.zerogate.policy.engine.address.AddressKind;
import dev.zerogate.policy.engine.model.GroupSource;
import dev.zerogate.policy.engine.model.PortPolicy;
import dev.zerogate.policy.engine.model.Protocol;
import dev.zerogate.policy.engine.model.RuleSubject;
import dev.zerogate.proto.policy.v1.AccessConditions;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.Group;
import dev.zerogate.proto.policy.v1.GroupMember;
import dev.zerogate.proto.policy.v1.NoPorts;
import dev.zerogate.proto.policy.v1.PortRange;
import dev.zerogate.proto.policy.v1.PortRanges;
import dev.zerogate.proto.policy.v1.Resource;
import dev.zerogate.proto.policy.v1.ResourceAddress;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The proto → engine mapping that policy-svc and connector-svc share. */
class EngineMappingTest {

    static final String RESOURCE = "0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f01";
    static final String NETWORK = "0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f02";
    static final String GROUP = "0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f03";
    static final String RULE = "0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f04";
    static final String USER = "0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f05";

    @Test
    void aResourceKeepsItsAddressAliasAndPortsAndUnsetPortsMeanAll() {
        var resource = EngineMapping.resource(Resource.newBuilder().setId(RESOURCE).setRemoteNetworkId(NETWORK).setName("NAS")
                .setAddress(ResourceAddress.newBuilder().setCidr("192.168.1.7/24")).setAlias("NAS.zg")
                .setTcp(dev.zerogate.proto.policy.v1.PortPolicy.newBuilder().setListed(PortRanges.newBuilder()
                        .addRanges(PortRange.newBuilder().setFirstPort(80).setLastPort(80))
                        .addRanges(PortRange.newBuilder().setFirstPort(81).setLastPort(90))))
                .setUdp(dev.zerogate.proto.policy.v1.PortPolicy.newBuilder().setNone(NoPorts.getDefaultInstance()))
                .build());
        assertEquals(AddressKind.CIDR, resource.address().kind());
        assertEquals("192.168.1.0/24", resource.address().text(), "host bits cleared");
        assertEquals("nas.zg", resource.alias().orElseThrow().value());
        assertEquals("80-90", resource.tcp().describe(), "ranges merged");
        assertEquals(PortPolicy.NONE, resource.udp());
        assertFalse(resource.allows(Protocol.ICMP, 0));

        var unset = EngineMapping.resource(Resource.newBuilder().setId(RESOURCE).setRemoteNetworkId(NETWORK).setName("pihole")
                .setAddress(ResourceAddress.newBuilder().setFqdn("pihole.lan")).build());
        assertEquals(PortPolicy.ALL, unset.tcp());
        assertEquals(PortPolicy.ALL, unset.udp());
    }

    @Test
    void complaintsNameTheFieldInTheApiMessage() {
        var bad = Resource.newBuilder().setId(RESOURCE).setRemoteNetworkId(NETWORK).setName("x")
                .setAddress(ResourceAddress.newBuilder().setFqdn("x.lan"))
                .setTcp(dev.zerogate.proto.policy.v1.PortPolicy.newBuilder().setListed(PortRanges.newBuilder()
                        .addRanges(PortRange.newBuilder().setFirstPort(90).setLastPort(80))))
                .build();
        InvalidPolicyException e = assertThrows(InvalidPolicyException.class, () -> EngineMapping.resource(bad));
        assertTrue(e.field().startsWith("tcp.listed.ranges[0]"), e.field());
        InvalidPolicyException noAddress = assertThrows(InvalidPolicyException.class,
                () -> EngineMapping.address(ResourceAddress.getDefaultInstance()));
        assertEquals("address", noAddress.field());
    }

    @Test
    void groupsAndRulesKeepTheirSubjectsAndConditions() {
        var local = EngineMapping.group(Group.newBuilder().setId(GROUP).setName("family")
                .setSource(dev.zerogate.proto.policy.v1.GroupSource.GROUP_SOURCE_LOCAL)
                .addMembers(GroupMember.newBuilder().setUserId(USER)).build());
        assertEquals(GroupSource.LOCAL, local.source());
        assertTrue(local.userIds().contains(USER));
        assertEquals(GroupSource.IDP_SYNC, EngineMapping.groupSource(dev.zerogate.proto.policy.v1.GroupSource.GROUP_SOURCE_IDP_SYNC));
        assertEquals(GroupSource.UNSPECIFIED, EngineMapping.groupSource(dev.zerogate.proto.policy.v1.GroupSource.UNRECOGNIZED));

        var rule = EngineMapping.rule(AccessRule.newBuilder().setId(RULE).setName("family → pihole").setGroupId(GROUP)
                .addResourceIds(RESOURCE).setDisabled(true)
                .setConditions(AccessConditions.newBuilder().setExpiresAt(Timestamp.newBuilder().setSeconds(1_800_000_000)))
                .setCreatedAt(Timestamp.newBuilder().setSeconds(1_700_000_000).setNanos(5)).build());
        assertEquals(RuleSubject.group(GROUP), rule.subject());
        assertTrue(rule.disabled());
        assertEquals(Instant.ofEpochSecond(1_700_000_000, 5), rule.createdAt());
        assertTrue(rule.isExpiredAt(Instant.ofEpochSecond(1_800_000_000)), "expired exactly at expires_at");
        assertFalse(rule.isExpiredAt(Instant.ofEpochSecond(1_799_999_999)));
    }

    @Test
    void everyEnumValueMapsBothWaysByTable() {
        for (var reason : dev.zerogate.policy.engine.decision.DenyReason.values()) {
            assertEquals(reason, EngineMapping.denyReason(EngineMapping.toProto(reason)), reason.name());
        }
        for (var reason : dev.zerogate.proto.policy.v1.DenyReason.values()) {
            if (reason != dev.zerogate.proto.policy.v1.DenyReason.UNRECOGNIZED) {
                assertEquals(reason, EngineMapping.toProto(EngineMapping.denyReason(reason)), reason.name());
            }
        }
        for (var protocol : Protocol.values()) {
            assertEquals(protocol, EngineMapping.protocol(EngineMapping.toProto(protocol)), protocol.name());
        }
        for (var protocol : dev.zerogate.proto.policy.v1.Protocol.values()) {
            if (protocol != dev.zerogate.proto.policy.v1.Protocol.UNRECOGNIZED) {
                assertEquals(protocol, EngineMapping.toProto(EngineMapping.protocol(protocol)), protocol.name());
            }
        }
        for (var os : dev.zerogate.policy.engine.conditions.OperatingSystem.values()) {
            assertEquals(os, EngineMapping.operatingSystem(EngineMapping.toProto(os)), os.name());
        }
        for (var os : dev.zerogate.proto.policy.v1.OperatingSystem.values()) {
            if (os != dev.zerogate.proto.policy.v1.OperatingSystem.UNRECOGNIZED) {
                assertEquals(os, EngineMapping.toProto(EngineMapping.operatingSystem(os)), os.name());
            }
        }
        for (var source : GroupSource.values()) {
            assertEquals(source, EngineMapping.groupSource(EngineMapping.toProto(source)), source.name());
        }
        for (var source : dev.zerogate.proto.policy.v1.GroupSource.values()) {
            if (source != dev.zerogate.proto.policy.v1.GroupSource.UNRECOGNIZED) {
                assertEquals(source, EngineMapping.toProto(EngineMapping.groupSource(source)), source.name());
            }
        }
        for (var verdict : dev.zerogate.policy.engine.decision.Verdict.values()) {
            assertEquals(verdict, EngineMapping.verdict(EngineMapping.toProto(verdict)), verdict.name());
        }
        for (var decision : dev.zerogate.proto.policy.v1.Decision.values()) {
            if (decision != dev.zerogate.proto.policy.v1.Decision.UNRECOGNIZED
                    && decision != dev.zerogate.proto.policy.v1.Decision.DECISION_UNSPECIFIED) {
                assertEquals(decision, EngineMapping.toProto(EngineMapping.verdict(decision)), decision.name());
            }
        }
    }

    @Test
    void specsKeepEveryFieldAsWritten() {
        var rule = AccessRule.newBuilder().setId(RULE).setName("  family → pihole ").setServiceAccountId(USER)
                .addResourceIds(RESOURCE).addResourceIds(NETWORK)
                .setConditions(AccessConditions.newBuilder().setRequireMfa(true)
                        .setMaxAuthAge(com.google.protobuf.Duration.newBuilder().setSeconds(3600).setNanos(7))
                        .setDevice(dev.zerogate.proto.policy.v1.DevicePostureRequirements.newBuilder()
                                .addAllowedOs(dev.zerogate.proto.policy.v1.OsRequirement.newBuilder()
                                        .setOs(dev.zerogate.proto.policy.v1.OperatingSystem.OPERATING_SYSTEM_MACOS).setMinVersion("014.04"))
                                .setMinClientVersion("1.2.3+build.5").setRequireScreenLock(true))
                        .addTimeWindows(dev.zerogate.proto.policy.v1.TimeWindow.newBuilder()
                                .addDays(dev.zerogate.proto.policy.v1.DayOfWeek.DAY_OF_WEEK_FRIDAY)
                                .addDays(dev.zerogate.proto.policy.v1.DayOfWeek.DAY_OF_WEEK_MONDAY)
                                .setStart(dev.zerogate.proto.policy.v1.TimeOfDay.newBuilder().setHours(22))
                                .setEnd(dev.zerogate.proto.policy.v1.TimeOfDay.newBuilder().setHours(24))
                                .setTimeZone("Europe/Berlin"))
                        .setExpiresAt(Timestamp.newBuilder().setSeconds(1_800_000_000).setNanos(9)))
                .setCreatedAt(Timestamp.newBuilder().setSeconds(1_700_000_000).setNanos(5)).build();
        assertEquals(rule, EngineMapping.toProto(EngineMapping.spec(rule)).build());
        var emptyDevice = rule.toBuilder().setConditions(AccessConditions.newBuilder()
                .setDevice(dev.zerogate.proto.policy.v1.DevicePostureRequirements.getDefaultInstance())).build();
        assertEquals(emptyDevice, EngineMapping.toProto(EngineMapping.spec(emptyDevice)).build());

        var group = Group.newBuilder().setId(GROUP).setName("family").setSource(dev.zerogate.proto.policy.v1.GroupSource.GROUP_SOURCE_LOCAL)
                .addMembers(GroupMember.newBuilder().setUserId(USER)).addMembers(GroupMember.newBuilder().setServiceAccountId(RULE))
                .addMembers(GroupMember.newBuilder().setUserId(RESOURCE)).build();
        assertEquals(group, EngineMapping.toProto(EngineMapping.spec(group)).build());

        var resource = Resource.newBuilder().setId(RESOURCE).setRemoteNetworkId(NETWORK).setName("NAS")
                .setAddress(ResourceAddress.newBuilder().setCidr("192.168.1.7/24")).setAlias("NAS.zg").setIcmpAllowed(true)
                .setTcp(dev.zerogate.proto.policy.v1.PortPolicy.newBuilder().setListed(PortRanges.newBuilder()
                        .addRanges(PortRange.newBuilder().setFirstPort(90).setLastPort(-1)))).build();
        assertEquals(resource, EngineMapping.toProto(EngineMapping.spec(resource)).build());
    }
}
