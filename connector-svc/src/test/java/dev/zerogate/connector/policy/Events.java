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
final class Events {

    private Events() {
    }

    static final Instant NOW = Instant.parse("2026-03-02T10:00:00Z"); // a Monday
    static final String NETWORK = "0190f6b8-0000-7000-8000-000000000001";
    static final String OTHER_NETWORK = "0190f6b8-0000-7000-8000-000000000002";
    static final String CONNECTOR = "0190f6b8-0000-7000-8000-0000000000c1";
    static final String PIHOLE = "0190f6b8-0000-7000-8000-0000000000a1";
    static final String LAN = "0190f6b8-0000-7000-8000-0000000000a2";
    static final String LAB = "0190f6b8-0000-7000-8000-0000000000a3";
    static final String VAULT = "0190f6b8-0000-7000-8000-0000000000a4";
    static final String FAMILY = "0190f6b8-0000-7000-8000-0000000000b1";
    static final String UPSTREAM = "0190f6b8-0000-7000-8000-0000000000b2";
    static final String FAMILY_PIHOLE = "0190f6b8-0000-7000-8000-0000000000d1";
    static final String ALICE = "0190f6b8-0000-7000-8000-0000000000e1";
    static final String BOB = "0190f6b8-0000-7000-8000-0000000000e2";
    static final String BACKUP = "0190f6b8-0000-7000-8000-0000000000e3";
    static final String SESSION = "0190f6b8-0000-7000-8000-0000000000f1";
    static final String DEVICE = "0190f6b8-0000-7000-8000-0000000000f2";

    static PolicyEvent begin(long sequence, int estimated) {
        return PolicyEvent.newBuilder().setSnapshotBegin(SnapshotBegin.newBuilder().setSnapshotSequence(sequence)
                .setEstimatedItemCount(estimated)).build();
    }

    static PolicyEvent end(long sequence, int items) {
        return PolicyEvent.newBuilder().setSnapshotEnd(SnapshotEnd.newBuilder().setSnapshotSequence(sequence).setItemCount(items)).build();
    }

    /** A whole snapshot at {@code sequence}: begin, the items numbered 1, 2, ... (as their changes), end. */
    static List<PolicyEvent> snapshot(long sequence, PolicyEvent... items) {
        List<PolicyEvent> events = new ArrayList<>();
        events.add(begin(sequence, items.length));
        for (int i = 0; i < items.length; i++) {
            events.add(items[i].toBuilder().setSequence(i + 1).build());
        }
        events.add(end(sequence, items.length));
        return events;
    }

    static PolicyEvent at(long sequence, PolicyEvent event) {
        return event.toBuilder().setSequence(sequence).setCommittedAt(timestamp(NOW)).build();
    }

    static PolicyEvent upsert(Resource.Builder resource) {
        return PolicyEvent.newBuilder().setResourceUpserted(ResourceUpserted.newBuilder().setResource(resource)).build();
    }

    static PolicyEvent deleteResource(String id) {
        return PolicyEvent.newBuilder().setResourceDeleted(ResourceDeleted.newBuilder().setResourceId(id).setRemoteNetworkId(NETWORK)).build();
    }

    static PolicyEvent upsert(AccessRule.Builder rule) {
        return PolicyEvent.newBuilder().setRuleUpserted(AccessRuleUpserted.newBuilder().setRule(rule)).build();
    }

    static PolicyEvent deleteRule(String id) {
        return PolicyEvent.newBuilder().setRuleDeleted(AccessRuleDeleted.newBuilder().setRuleId(id)).build();
    }

    static PolicyEvent localGroup(String id, String... userIds) {
        GroupMembershipChanged.Builder change = GroupMembershipChanged.newBuilder().setGroupId(id).setSource(GroupSource.GROUP_SOURCE_LOCAL);
        for (String user : userIds) {
            change.addMembers(GroupMember.newBuilder().setUserId(user));
        }
        return PolicyEvent.newBuilder().setGroupMembershipChanged(change).build();
    }

    static PolicyEvent idpGroup(String id) {
        return PolicyEvent.newBuilder().setGroupMembershipChanged(GroupMembershipChanged.newBuilder().setGroupId(id)
                .setSource(GroupSource.GROUP_SOURCE_IDP_SYNC)).build();
    }

    static PolicyEvent groupDeleted(String id) {
        return PolicyEvent.newBuilder().setGroupMembershipChanged(GroupMembershipChanged.newBuilder().setGroupId(id).setGroupDeleted(true)).build();
    }

    static PolicyEvent revoked(Revocation.Builder revocation) {
        return PolicyEvent.newBuilder().setRevocation(revocation.setReason("test")).build();
    }

    static PolicyEvent keepAlive(long head) {
        return PolicyEvent.newBuilder().setKeepAlive(KeepAlive.newBuilder().setHeadSequence(head)).build();
    }

    static PolicyEvent resync(long head) {
        return PolicyEvent.newBuilder().setResyncRequired(ResyncRequired.newBuilder().setHeadSequence(head)
                .setReason("sequence 3 is older than the retained log: start again from 0")).build();
    }

    /** "Pi-hole admin" at pihole.lan, alias pihole.zg: TCP 80 and 443, UDP 53, no ICMP. */
    static Resource.Builder pihole() {
        return Resource.newBuilder().setId(PIHOLE).setRemoteNetworkId(NETWORK).setName("Pi-hole admin")
                .setAddress(ResourceAddress.newBuilder().setFqdn("pihole.lan")).setAlias("pihole.zg")
                .setTcp(listed(80, 80, 443, 443)).setUdp(listed(53, 53));
    }

    /** "LAN" 192.168.1.0/24: every TCP port, no UDP, ICMP. */
    static Resource.Builder lan() {
        return Resource.newBuilder().setId(LAN).setRemoteNetworkId(NETWORK).setName("LAN")
                .setAddress(ResourceAddress.newBuilder().setCidr("192.168.1.0/24"))
                .setUdp(PortPolicy.newBuilder().setNone(NoPorts.getDefaultInstance())).setIcmpAllowed(true);
    }

    /** "Lab" *.lab.home, every port. */
    static Resource.Builder lab() {
        return Resource.newBuilder().setId(LAB).setRemoteNetworkId(NETWORK).setName("Lab")
                .setAddress(ResourceAddress.newBuilder().setWildcard("*.lab.home"));
    }

    static PortPolicy listed(int... firstLast) {
        PortRanges.Builder ranges = PortRanges.newBuilder();
        for (int i = 0; i < firstLast.length; i += 2) {
            ranges.addRanges(PortRange.newBuilder().setFirstPort(firstLast[i]).setLastPort(firstLast[i + 1]));
        }
        return PortPolicy.newBuilder().setListed(ranges).build();
    }

    /** "family → pihole": the family group to Pi-hole, LAN and Lab, no conditions. */
    static AccessRule.Builder familyRule() {
        return AccessRule.newBuilder().setId(FAMILY_PIHOLE).setName("family → pihole").setGroupId(FAMILY)
                .addResourceIds(PIHOLE).addResourceIds(LAN).addResourceIds(LAB)
                .setCreatedAt(timestamp(NOW.minusSeconds(86_400))).setConditions(AccessConditions.getDefaultInstance());
    }

    /** The home lab: three resources, the family rule, family = {alice}, no revocations. */
    static List<PolicyEvent> homeLab(long sequence) {
        return snapshot(sequence, upsert(pihole()), upsert(lan()), upsert(lab()), upsert(familyRule()), localGroup(FAMILY, ALICE));
    }

    /** A grant as AccessGrantVerifier returns it: alice, on her device, to {@code destination} in {@code resourceId}. */
    static VerifiedGrant grant(String resourceId, String destination, String protocol, int port) {
        return grant(ALICE, resourceId, FAMILY_PIHOLE, destination, protocol, port);
    }

    static VerifiedGrant grant(String subject, String resourceId, String ruleId, String destination, String protocol, int port) {
        return new VerifiedGrant("0190f6b8-0000-7000-8000-00000000dec1", subject, SESSION, NETWORK, resourceId, ruleId, destination,
                protocol, port, Optional.of(DEVICE), "jkt-of-alices-device-key", NOW.minusSeconds(10), NOW.plusSeconds(290));
    }

    static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
