package dev.zerogate.connector.policy;

import com.google.protobuf.Timestamp;
import dev.zerogate.proto.policy.v1.AccessConditions;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.AccessRuleDeleted;
import dev.zerogate.proto.policy.v1.AccessRuleUpserted;
import dev.zerogate.proto.policy.v1.GroupMember;
import dev.zerogate.proto.policy.v1.GroupMembershipChanged;
import dev.zerogate.proto.policy.v1.GroupSource;
import dev.zerogate.proto.policy.v1.KeepAlive;
import dev.zerogate.proto.policy.v1.NoPorts;
import dev.zerogate.proto.policy.v1.PolicyEvent;
import dev.zerogate.proto.policy.v1.PortPolicy;
import dev.zerogate.proto.policy.v1.PortRange;
import dev.zerogate.proto.policy.v1.PortRanges;
import dev.zerogate.proto.policy.v1.Resource;
import dev.zerogate.proto.policy.v1.ResourceAddress;
import dev.zerogate.proto.policy.v1.ResourceDeleted;
import dev.zerogate.proto.policy.v1.ResourceUpserted;
import dev.zerogate.proto.policy.v1.ResyncRequired;
import dev.zerogate.proto.policy.v1.Revocation;
import dev.zerogate.proto.policy.v1.SnapshotBegin;
import dev.zerogate.proto.policy.v1.SnapshotEnd;
import dev.zerogate.servicekit.grant.VerifiedGrant;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Policy stream events written by hand, as policy-svc sends them, and the home-lab they describe. */
public final class Events {

    private Events() {
    }

    public static final Instant NOW = Instant.parse("2026-03-02T10:00:00Z"); // a Monday
    public static final String NETWORK = "0190f6b8-0000-7000-8000-000000000001";
    public static final String OTHER_NETWORK = "0190f6b8-0000-7000-8000-000000000002";
    public static final String CONNECTOR = "0190f6b8-0000-7000-8000-0000000000c1";
    public static final String PIHOLE = "0190f6b8-0000-7000-8000-0000000000a1";
    public static final String LAN = "0190f6b8-0000-7000-8000-0000000000a2";
    public static final String LAB = "0190f6b8-0000-7000-8000-0000000000a3";
    public static final String VAULT = "0190f6b8-0000-7000-8000-0000000000a4";
    public static final String FAMILY = "0190f6b8-0000-7000-8000-0000000000b1";
    public static final String UPSTREAM = "0190f6b8-0000-7000-8000-0000000000b2";
    public static final String FAMILY_PIHOLE = "0190f6b8-0000-7000-8000-0000000000d1";
    public static final String ALICE = "0190f6b8-0000-7000-8000-0000000000e1";
    public static final String BOB = "0190f6b8-0000-7000-8000-0000000000e2";
    public static final String BACKUP = "0190f6b8-0000-7000-8000-0000000000e3";
    public static final String SESSION = "0190f6b8-0000-7000-8000-0000000000f1";
    public static final String DEVICE = "0190f6b8-0000-7000-8000-0000000000f2";

    public static PolicyEvent begin(long sequence, int estimated) {
        return PolicyEvent.newBuilder().setSnapshotBegin(SnapshotBegin.newBuilder().setSnapshotSequence(sequence)
                .setEstimatedItemCount(estimated)).build();
    }

    public static PolicyEvent end(long sequence, int items) {
        return PolicyEvent.newBuilder().setSnapshotEnd(SnapshotEnd.newBuilder().setSnapshotSequence(sequence).setItemCount(items)).build();
    }

    /** A whole snapshot at {@code sequence}: begin, the items numbered 1, 2, ... (as their changes), end. */
    public static List<PolicyEvent> snapshot(long sequence, PolicyEvent... items) {
        List<PolicyEvent> events = new ArrayList<>();
        events.add(begin(sequence, items.length));
        for (int i = 0; i < items.length; i++) {
            events.add(items[i].toBuilder().setSequence(i + 1).build());
        }
        events.add(end(sequence, items.length));
        return events;
    }

    public static PolicyEvent at(long sequence, PolicyEvent event) {
        return event.toBuilder().setSequence(sequence).setCommittedAt(timestamp(NOW)).build();
    }

    public static PolicyEvent upsert(Resource.Builder resource) {
        return PolicyEvent.newBuilder().setResourceUpserted(ResourceUpserted.newBuilder().setResource(resource)).build();
    }

    public static PolicyEvent deleteResource(String id) {
        return PolicyEvent.newBuilder().setResourceDeleted(ResourceDeleted.newBuilder().setResourceId(id).setRemoteNetworkId(NETWORK)).build();
    }

    public static PolicyEvent upsert(AccessRule.Builder rule) {
        return PolicyEvent.newBuilder().setRuleUpserted(AccessRuleUpserted.newBuilder().setRule(rule)).build();
    }

    public static PolicyEvent deleteRule(String id) {
        return PolicyEvent.newBuilder().setRuleDeleted(AccessRuleDeleted.newBuilder().setRuleId(id)).build();
    }

    public static PolicyEvent localGroup(String id, String... userIds) {
        GroupMembershipChanged.Builder change = GroupMembershipChanged.newBuilder().setGroupId(id).setSource(GroupSource.GROUP_SOURCE_LOCAL);
        for (String user : userIds) {
            change.addMembers(GroupMember.newBuilder().setUserId(user));
        }
        return PolicyEvent.newBuilder().setGroupMembershipChanged(change).build();
    }

    public static PolicyEvent idpGroup(String id) {
        return PolicyEvent.newBuilder().setGroupMembershipChanged(GroupMembershipChanged.newBuilder().setGroupId(id)
                .setSource(GroupSource.GROUP_SOURCE_IDP_SYNC)).build();
    }

    public static PolicyEvent groupDeleted(String id) {
        return PolicyEvent.newBuilder().setGroupMembershipChanged(GroupMembershipChanged.newBuilder().setGroupId(id).setGroupDeleted(true)).build();
    }

    public static PolicyEvent revoked(Revocation.Builder revocation) {
        return PolicyEvent.newBuilder().setRevocation(revocation.setReason("test")).build();
    }

    public static PolicyEvent keepAlive(long head) {
        return PolicyEvent.newBuilder().setKeepAlive(KeepAlive.newBuilder().setHeadSequence(head)).build();
    }

    public static PolicyEvent resync(long head) {
        return PolicyEvent.newBuilder().setResyncRequired(ResyncRequired.newBuilder().setHeadSequence(head)
                .setReason("sequence 3 is older than the retained log: start again from 0")).build();
    }

    /** "Pi-hole admin" at pihole.lan, alias pihole.zg: TCP 80 and 443, UDP 53, no ICMP. */
    public static Resource.Builder pihole() {
        return Resource.newBuilder().setId(PIHOLE).setRemoteNetworkId(NETWORK).setName("Pi-hole admin")
                .setAddress(ResourceAddress.newBuilder().setFqdn("pihole.lan")).setAlias("pihole.zg")
                .setTcp(listed(80, 80, 443, 443)).setUdp(listed(53, 53));
    }

    /** "LAN" 192.168.1.0/24: every TCP port, no UDP, ICMP. */
    public static Resource.Builder lan() {
        return Resource.newBuilder().setId(LAN).setRemoteNetworkId(NETWORK).setName("LAN")
                .setAddress(ResourceAddress.newBuilder().setCidr("192.168.1.0/24"))
                .setUdp(PortPolicy.newBuilder().setNone(NoPorts.getDefaultInstance())).setIcmpAllowed(true);
    }

    /** "Lab" *.lab.home, every port. */
    public static Resource.Builder lab() {
        return Resource.newBuilder().setId(LAB).setRemoteNetworkId(NETWORK).setName("Lab")
                .setAddress(ResourceAddress.newBuilder().setWildcard("*.lab.home"));
    }

    public static PortPolicy listed(int... firstLast) {
        PortRanges.Builder ranges = PortRanges.newBuilder();
        for (int i = 0; i < firstLast.length; i += 2) {
            ranges.addRanges(PortRange.newBuilder().setFirstPort(firstLast[i]).setLastPort(firstLast[i + 1]));
        }
        return PortPolicy.newBuilder().setListed(ranges).build();
    }

    /** "family → pihole": the family group to Pi-hole, LAN and Lab, no conditions. */
    public static AccessRule.Builder familyRule() {
        return AccessRule.newBuilder().setId(FAMILY_PIHOLE).setName("family → pihole").setGroupId(FAMILY)
                .addResourceIds(PIHOLE).addResourceIds(LAN).addResourceIds(LAB)
                .setCreatedAt(timestamp(NOW.minusSeconds(86_400))).setConditions(AccessConditions.getDefaultInstance());
    }

    /** The home lab: three resources, the family rule, family = {alice}, no revocations. */
    public static List<PolicyEvent> homeLab(long sequence) {
        return snapshot(sequence, upsert(pihole()), upsert(lan()), upsert(lab()), upsert(familyRule()), localGroup(FAMILY, ALICE));
    }

    /** A grant as AccessGrantVerifier returns it: alice, on her device, to {@code destination} in {@code resourceId}. */
    public static VerifiedGrant grant(String resourceId, String destination, String protocol, int port) {
        return grant(ALICE, resourceId, FAMILY_PIHOLE, destination, protocol, port);
    }

    public static VerifiedGrant grant(String subject, String resourceId, String ruleId, String destination, String protocol, int port) {
        return new VerifiedGrant("0190f6b8-0000-7000-8000-00000000dec1", subject, SESSION, NETWORK, resourceId, ruleId, destination,
                protocol, port, Optional.of(DEVICE), "jkt-of-alices-device-key", NOW.minusSeconds(10), NOW.plusSeconds(290));
    }

    public static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
