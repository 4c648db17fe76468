package dev.zerogate.connector.policy;

import static dev.zerogate.connector.policy.Events.ALICE;
import static dev.zerogate.connector.policy.Events.BACKUP;
import static dev.zerogate.connector.policy.Events.BOB;
import static dev.zerogate.connector.policy.Events.CONNECTOR;
import static dev.zerogate.connector.policy.Events.DEVICE;
import static dev.zerogate.connector.policy.Events.FAMILY;
import static dev.zerogate.connector.policy.Events.FAMILY_PIHOLE;
import static dev.zerogate.connector.policy.Events.LAB;
import static dev.zerogate.connector.policy.Events.LAN;
import static dev.zerogate.connector.policy.Events.NETWORK;
import static dev.zerogate.connector.policy.Events.NOW;
import static dev.zerogate.connector.policy.Events.OTHER_NETWORK;
import static dev.zerogate.connector.policy.Events.PIHOLE;
import static dev.zerogate.connector.policy.Events.SESSION;
import static dev.zerogate.connector.policy.Events.UPSTREAM;
import static dev.zerogate.connector.policy.Events.VAULT;
import static dev.zerogate.connector.policy.Events.at;
import static dev.zerogate.connector.policy.Events.deleteResource;
import static dev.zerogate.connector.policy.Events.deleteRule;
import static dev.zerogate.connector.policy.Events.familyRule;
import static dev.zerogate.connector.policy.Events.grant;
import static dev.zerogate.connector.policy.Events.groupDeleted;
import static dev.zerogate.connector.policy.Events.homeLab;
import static dev.zerogate.connector.policy.Events.idpGroup;
import static dev.zerogate.connector.policy.Events.lab;
import static dev.zerogate.connector.policy.Events.listed;
import static dev.zerogate.connector.policy.Events.localGroup;
import static dev.zerogate.connector.policy.Events.pihole;
import static dev.zerogate.connector.policy.Events.revoked;
import static dev.zerogate.connector.policy.Events.timestamp;
import static dev.zerogate.connector.policy.Events.upsert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerogate.connector.policy.FlowVerdict.Reason;
import dev.zerogate.policy.engine.model.Protocol;
import dev.zerogate.proto.policy.v1.AccessConditions;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.DayOfWeek;
import dev.zerogate.proto.policy.v1.GroupMembershipChanged;
import dev.zerogate.proto.policy.v1.PolicyEvent;
import dev.zerogate.proto.policy.v1.Resource;
import dev.zerogate.proto.policy.v1.ResourceAddress;
import dev.zerogate.proto.policy.v1.Revocation;
import dev.zerogate.proto.policy.v1.TimeOfDay;
import dev.zerogate.proto.policy.v1.TimeWindow;
import dev.zerogate.servicekit.grant.VerifiedGrant;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The connector's double check against its copy of the policy, fed stream events by hand. */
class FlowPolicyTest {

    static final Duration SKEW = Duration.ofSeconds(30);

    PolicyMirror mirror = new PolicyMirror();
    FlowPolicy policy = policyAt(NOW);
    long sequence = 100;

    @BeforeEach
    void syncTheHomeLab() {
        homeLab(sequence).forEach(mirror::apply);
    }

    FlowPolicy policyAt(Instant now) {
        return new FlowPolicy(NETWORK, CONNECTOR, mirror, Clock.fixed(now, ZoneOffset.UTC), SKEW);
    }

    void change(PolicyEvent event) {
        assertEquals(PolicyMirror.Applied.CHANGED, mirror.apply(at(++sequence, event)));
    }

    FlowVerdict check(VerifiedGrant grant) {
        FlowVerdict verdict = policy.check(grant, grant.destination(), grant.port(), Protocol.valueOf(grant.protocol().toUpperCase()));
        // Whatever the answer, it never carries the grant.
        assertFalse(verdict.message().contains(grant.decisionId()) || verdict.message().contains(grant.keyThumbprint()),
                verdict.message());
        return verdict;
    }

    static void assertAllowed(FlowVerdict verdict) {
        assertTrue(verdict.allowed(), verdict.toString());
        assertEquals(Reason.NONE, verdict.reason());
    }

    static void assertRefused(Reason reason, String message, FlowVerdict verdict) {
        assertFalse(verdict.allowed(), verdict.toString());
        assertEquals(reason, verdict.reason(), verdict.toString());
        assertEquals(message, verdict.message());
    }

    @ParameterizedTest(name = "{1} {2}/{3} in {0}")
    @CsvSource({
            PIHOLE + ",pihole.lan,tcp,443",
            PIHOLE + ",PiHole.LAN.,tcp,80",
            PIHOLE + ",pihole.zg,udp,53",
            LAN + ",192.168.1.20,tcp,22",
            LAN + ",192.168.1.254,icmp,0",
            LAN + ",::ffff:192.168.1.20,tcp,8080",
            LAB + ",grafana.lab.home,tcp,3000",
            LAB + ",a.b.lab.home,udp,5353",
    })
    void permitsWhatTheCopyStillAllows(String resource, String destination, String protocol, int port) {
        FlowVerdict verdict = check(grant(resource, destination, protocol, port));
        assertAllowed(verdict);
        assertEquals(Optional.empty(), verdict.recheckAt(), "the rule neither expires nor has time windows");
    }

    @ParameterizedTest(name = "{1} {2}/{3} in {0}: {4}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            PIHOLE + "|pihole.lan|tcp|22|resource 'Pi-hole admin' (pihole.lan) no longer allows TCP port 22",
            PIHOLE + "|pihole.lan|udp|443|resource 'Pi-hole admin' (pihole.lan) no longer allows UDP port 443",
            PIHOLE + "|pihole.lan|icmp|0|resource 'Pi-hole admin' (pihole.lan) no longer allows ICMP",
            LAN + "|192.168.1.20|udp|53|resource 'LAN' (192.168.1.0/24) no longer allows UDP port 53",
            LAN + "|192.168.2.1|tcp|22|'192.168.2.1' is no longer part of resource 'LAN' (192.168.1.0/24)",
            LAN + "|fd00::1|tcp|22|'fd00::1' is no longer part of resource 'LAN' (192.168.1.0/24)",
            PIHOLE + "|nas.lan|tcp|443|'nas.lan' is no longer part of resource 'Pi-hole admin' (pihole.lan)",
            PIHOLE + "|192.168.1.5|tcp|443|'192.168.1.5' is no longer part of resource 'Pi-hole admin' (pihole.lan)",
            LAB + "|lab.home|tcp|443|'lab.home' is no longer part of resource 'Lab' (*.lab.home)",
            LAB + "|bad..name|tcp|443|'bad..name' is no longer part of resource 'Lab' (*.lab.home)",
    })
    void refusesADestinationPortOrProtocolTheResourceDoesNotCover(String resource, String destination, String protocol, int port,
                                                                  String message) {
        assertRefused(Reason.POLICY_DENIED, message, check(grant(resource, destination, protocol, port)));
    }

    @Test
    void aDeletedResourceIsUnknown() {
        change(deleteResource(PIHOLE));
        assertRefused(Reason.RESOURCE_UNKNOWN, "the resource this access was granted for no longer exists in this network",
                check(grant(PIHOLE, "pihole.lan", "tcp", 443)));
        assertAllowed(check(grant(LAN, "192.168.1.20", "tcp", 22)));
    }

    @Test
    void aResourceOfAnotherNetworkIsUnknown() {
        change(upsert(pihole().setRemoteNetworkId(OTHER_NETWORK)));
        assertEquals(Reason.RESOURCE_UNKNOWN, check(grant(PIHOLE, "pihole.lan", "tcp", 443)).reason());
    }

    @Test
    void aGrantForAnotherNetworkDoesNotMatchThisConnector() {
        VerifiedGrant ok = grant(PIHOLE, "pihole.lan", "tcp", 443);
        VerifiedGrant elsewhere = new VerifiedGrant(ok.decisionId(), ok.subject(), ok.sessionId(), OTHER_NETWORK, ok.resourceId(),
                ok.ruleId(), ok.destination(), ok.protocol(), ok.port(), ok.deviceId(), ok.keyThumbprint(), ok.issuedAt(), ok.expiresAt());
        assertRefused(Reason.GRANT_MISMATCH, "the grant is for another remote network than this connector's", check(elsewhere));
    }

    @Test
    void nothingIsAllowedBeforeTheFirstSnapshot() {
        mirror = new PolicyMirror();
        policy = policyAt(NOW);
        assertRefused(Reason.POLICY_DENIED, "this connector has not received the policy yet: try again in a moment",
                check(grant(PIHOLE, "pihole.lan", "tcp", 443)));
    }

    @Test
    void aChangedAddressNarrowedPortsAndACarveOutAreSeenAtOnce() {
        change(upsert(pihole().setAddress(ResourceAddress.newBuilder().setFqdn("pi.lan")).setTcp(listed(443, 443))));
        assertEquals("'pihole.lan' is no longer part of resource 'Pi-hole admin' (pi.lan)",
                check(grant(PIHOLE, "pihole.lan", "tcp", 443)).message());
        assertAllowed(check(grant(PIHOLE, "pi.lan", "tcp", 443)));
        assertEquals("resource 'Pi-hole admin' (pi.lan) no longer allows TCP port 80", check(grant(PIHOLE, "pi.lan", "tcp", 80)).message());

        // An admin carves vault out of the lab wildcard: the wildcard grant no longer reaches it.
        change(upsert(Resource.newBuilder().setId(VAULT).setRemoteNetworkId(NETWORK).setName("Vault")
                .setAddress(ResourceAddress.newBuilder().setFqdn("vault.lab.home"))));
        assertRefused(Reason.POLICY_DENIED, "'vault.lab.home' is no longer part of resource 'Lab' (*.lab.home)",
                check(grant(LAB, "vault.lab.home", "tcp", 8200)));
        assertAllowed(check(grant(LAB, "grafana.lab.home", "tcp", 3000)));
    }

    @Test
    void aRuleThatIsDisabledExpiredDeletedOrNoLongerListsTheResourceRefuses() {
        VerifiedGrant toPihole = grant(PIHOLE, "pihole.lan", "tcp", 443);
        change(upsert(familyRule().setDisabled(true)));
        assertRefused(Reason.POLICY_DENIED, "rule 'family → pihole' is disabled", check(toPihole));

        change(upsert(familyRule().setConditions(AccessConditions.newBuilder().setExpiresAt(timestamp(NOW)))));
        assertRefused(Reason.POLICY_DENIED, "rule 'family → pihole' has expired", check(toPihole));

        change(upsert(familyRule().clearResourceIds().addResourceIds(LAN)));
        assertRefused(Reason.POLICY_DENIED, "rule 'family → pihole' no longer gives access to resource 'Pi-hole admin' (pihole.lan)",
                check(toPihole));
        assertAllowed(check(grant(LAN, "192.168.1.20", "tcp", 22)));

        change(deleteRule(FAMILY_PIHOLE));
        assertRefused(Reason.POLICY_DENIED, "the rule that granted this access was deleted or no longer covers this network",
                check(grant(LAN, "192.168.1.20", "tcp", 22)));
    }

    @Test
    void anExpiringRuleAllowsUntilItsExpiryAndSaysWhenToCheckAgain() {
        Instant expiry = NOW.plusSeconds(3600);
        change(upsert(familyRule().setConditions(AccessConditions.newBuilder().setExpiresAt(timestamp(expiry)))));
        FlowVerdict verdict = check(grant(PIHOLE, "pihole.lan", "tcp", 443));
        assertAllowed(verdict);
        assertEquals(Optional.of(expiry), verdict.recheckAt());
        policy = policyAt(expiry);
        assertEquals("rule 'family → pihole' has expired", check(grant(PIHOLE, "pihole.lan", "tcp", 443)).message());
    }

    static TimeWindow window(DayOfWeek day, int startHour, int endHour) {
        return TimeWindow.newBuilder().addDays(day).setStart(TimeOfDay.newBuilder().setHours(startHour))
                .setEnd(TimeOfDay.newBuilder().setHours(endHour)).setTimeZone("UTC").build();
    }

    @Test
    void aRuleWithTimeWindowsAppliesInsideThemOnlyAndEndsWithTheWindow() {
        // NOW is Monday 10:00 UTC.
        change(upsert(familyRule().setConditions(AccessConditions.newBuilder()
                .addTimeWindows(window(DayOfWeek.DAY_OF_WEEK_TUESDAY, 0, 23))
                .addTimeWindows(window(DayOfWeek.DAY_OF_WEEK_MONDAY, 9, 17))
                .setExpiresAt(timestamp(NOW.plus(Duration.ofDays(30)))))));
        FlowVerdict inside = check(grant(PIHOLE, "pihole.lan", "tcp", 443));
        assertAllowed(inside);
        assertEquals(Optional.of(Instant.parse("2026-03-02T17:00:00Z")), inside.recheckAt(), "the window ends before the rule expires");

        change(upsert(familyRule().setConditions(AccessConditions.newBuilder().addTimeWindows(window(DayOfWeek.DAY_OF_WEEK_MONDAY, 11, 12)))));
        assertRefused(Reason.POLICY_DENIED, "rule 'family → pihole' does not apply at this time (outside its time windows)",
                check(grant(PIHOLE, "pihole.lan", "tcp", 443)));
        // A window opens up to the clock skew early (the grant was issued by policy-svc's clock), not more.
        policy = policyAt(Instant.parse("2026-03-02T10:59:45Z"));
        assertEquals(Optional.of(Instant.parse("2026-03-02T12:00:00Z")), check(grant(PIHOLE, "pihole.lan", "tcp", 443)).recheckAt());
        policy = policyAt(Instant.parse("2026-03-02T10:59:15Z"));
        assertFalse(check(grant(PIHOLE, "pihole.lan", "tcp", 443)).allowed());
    }

    @Test
    void aUserRemovedFromTheLocalGroupIsRefusedAndTheNewMemberAllowed() {
        VerifiedGrant alices = grant(PIHOLE, "pihole.lan", "tcp", 443);
        VerifiedGrant bobs = grant(BOB, PIHOLE, FAMILY_PIHOLE, "pihole.lan", "tcp", 443);
        assertEquals("rule 'family → pihole' no longer includes you", check(bobs).message());
        change(localGroup(FAMILY, BOB));
        assertRefused(Reason.POLICY_DENIED, "rule 'family → pihole' no longer includes you", check(alices));
        assertAllowed(check(bobs));

        change(groupDeleted(FAMILY));
        assertRefused(Reason.POLICY_DENIED, "rule 'family → pihole' no longer includes you (its group was deleted)", check(bobs));
    }

    @Test
    void aGroupWhoseSourceIsNotSaidCountsAsLocal() {
        change(PolicyEvent.newBuilder().setGroupMembershipChanged(GroupMembershipChanged.newBuilder().setGroupId(FAMILY)).build());
        assertRefused(Reason.POLICY_DENIED, "rule 'family → pihole' no longer includes you", check(grant(PIHOLE, "pihole.lan", "tcp", 443)));
    }

    @Test
    void anIdpSyncGroupTrustsTheGrantItsMembershipIsInTokensOnly() {
        change(idpGroup(UPSTREAM));
        change(upsert(familyRule().setGroupId(UPSTREAM)));
        assertAllowed(check(grant(BOB, PIHOLE, FAMILY_PIHOLE, "pihole.lan", "tcp", 443)));
        // ...but everything the connector can check still applies.
        assertFalse(check(grant(BOB, PIHOLE, FAMILY_PIHOLE, "pihole.lan", "tcp", 22)).allowed());
    }

    @Test
    void aServiceAccountRuleIncludesThatServiceAccountOnly() {
        change(upsert(AccessRule.newBuilder().setId(FAMILY_PIHOLE).setName("backup → nas").setServiceAccountId(BACKUP)
                .addResourceIds(LAN).setCreatedAt(timestamp(NOW))));
        assertAllowed(check(grant(BACKUP, LAN, FAMILY_PIHOLE, "192.168.1.9", "tcp", 22)));
        assertRefused(Reason.POLICY_DENIED, "rule 'backup → nas' is now for another service account",
                check(grant(LAN, "192.168.1.9", "tcp", 22)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "user|your account was revoked",
            "session|your session was revoked: sign in again",
            "device|your device was revoked",
            "connector|this connector was revoked",
    })
    void aRevocationClosesEveryFlowItCarriesWhateverTheGrantsIssueTime(String kind, String message) {
        VerifiedGrant alices = grant(PIHOLE, "pihole.lan", "tcp", 443);
        Revocation.Builder revocation = Revocation.newBuilder().setRevokedAt(timestamp(alices.issuedAt().minusSeconds(3600)));
        switch (kind) {
            case "user" -> revocation.setUserId(ALICE);
            case "session" -> revocation.setSessionId(SESSION);
            case "device" -> revocation.setDeviceId(DEVICE);
            case "connector" -> revocation.setConnectorId(CONNECTOR);
            default -> throw new IllegalArgumentException(kind);
        }
        change(revoked(revocation));
        assertRefused(Reason.POLICY_DENIED, message, check(alices));
    }

    @Test
    void aRevokedServiceAccountIsRefusedAndOthersRevocationsChangeNothing() {
        change(revoked(Revocation.newBuilder().setUserId(BOB).setRevokedAt(timestamp(NOW))));
        change(revoked(Revocation.newBuilder().setDeviceId("0190f6b8-0000-7000-8000-0000000000ff").setRevokedAt(timestamp(NOW))));
        assertAllowed(check(grant(PIHOLE, "pihole.lan", "tcp", 443)));

        change(upsert(AccessRule.newBuilder().setId(FAMILY_PIHOLE).setName("backup → nas").setServiceAccountId(BACKUP)
                .addResourceIds(LAN).setCreatedAt(timestamp(NOW))));
        change(revoked(Revocation.newBuilder().setServiceAccountId(BACKUP).setRevokedAt(timestamp(NOW))));
        assertRefused(Reason.POLICY_DENIED, "this service account was revoked", check(grant(BACKUP, LAN, FAMILY_PIHOLE, "192.168.1.9", "tcp", 22)));
    }
}
