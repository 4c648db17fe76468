package dev.zerogate.policy.engine.decision;

import dev.zerogate.policy.engine.TestPolicies;
import dev.zerogate.policy.engine.conditions.AccessConditions;
import dev.zerogate.policy.engine.conditions.DottedVersion;
import dev.zerogate.policy.engine.conditions.OperatingSystem;
import dev.zerogate.policy.engine.conditions.OsRequirement;
import dev.zerogate.policy.engine.conditions.PostureRequirements;
import dev.zerogate.policy.engine.conditions.SemanticVersion;
import dev.zerogate.policy.engine.conditions.TimeWindow;
import dev.zerogate.policy.engine.model.AccessRule;
import dev.zerogate.policy.engine.model.Device;
import dev.zerogate.policy.engine.model.Group;
import dev.zerogate.policy.engine.model.PortPolicy;
import dev.zerogate.policy.engine.model.PostureFlag;
import dev.zerogate.policy.engine.model.Protocol;
import dev.zerogate.policy.engine.model.Resource;
import dev.zerogate.policy.engine.model.RuleSubject;
import dev.zerogate.policy.engine.model.Subject;
import dev.zerogate.policy.engine.model.SubjectKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.zerogate.policy.engine.TestPolicies.NOW;
import static dev.zerogate.policy.engine.TestPolicies.device;
import static dev.zerogate.policy.engine.TestPolicies.group;
import static dev.zerogate.policy.engine.TestPolicies.resource;
import static dev.zerogate.policy.engine.TestPolicies.rule;
import static dev.zerogate.policy.engine.TestPolicies.snapshot;
import static dev.zerogate.policy.engine.TestPolicies.user;
import static dev.zerogate.policy.engine.TestPolicies.window;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decision tables, one per condition type, at and around each boundary. */
class DecisionConditionsTest {

    private static final String DESTINATION = "app.lan";

    /** One resource, one group with "alice", one rule with {@code conditions}. */
    private static PolicySnapshot policyWith(AccessConditions conditions) {
        return snapshot(List.of(resource("res-app", DESTINATION)), List.of(group("grp", "alice")),
                List.of(rule("r1", "grp", conditions, "res-app")));
    }

    private static String outcome(Decision decision) {
        return decision.isPermit() ? "PERMIT" : decision.denyReason().name();
    }

    /** Negative ages are sign-in times ahead of the decision clock: tolerated up to the clock skew of 5 min, then fail closed. */
    @ParameterizedTest(name = "signed in {0} s ago, limit 8 h: {1}")
    @CsvSource({
            "0,PERMIT",
            "28799,PERMIT",
            "28800,PERMIT",
            "28801,AUTH_TOO_OLD",
            "39600,AUTH_TOO_OLD",
            "-60,PERMIT",
            "-300,PERMIT",
            "-301,AUTH_TOO_OLD",
            "-31536000,AUTH_TOO_OLD",
    })
    void authAgeExactlyAtTheLimitPermits(long ageSeconds, String expected) {
        PolicySnapshot policy = policyWith(AccessConditions.NONE.withMaxAuthAge(Duration.ofHours(8)));
        Subject alice = user("alice", Set.of("pwd"), NOW.minusSeconds(ageSeconds));
        assertEquals(expected, outcome(policy.decide(alice, Optional.empty(), DESTINATION, 443, Protocol.TCP, NOW)));
    }

    @Test
    void authAgeWithoutAuthTimeDenies() {
        PolicySnapshot policy = policyWith(AccessConditions.NONE.withMaxAuthAge(Duration.ofHours(8)));
        Subject alice = user("alice", Set.of("otp"), null);
        Decision decision = policy.decide(alice, Optional.empty(), DESTINATION, 443, Protocol.TCP, NOW);
        assertEquals(DenyReason.AUTH_TOO_OLD, decision.denyReason());
        assertTrue(decision.reason().contains("no sign-in time"), decision.reason());
    }

    @Test
    void authAgeReasonSaysHowOldTheSignInIs() {
        PolicySnapshot policy = policyWith(AccessConditions.NONE.withMaxAuthAge(Duration.ofHours(8)));
        Subject alice = user("alice", Set.of("pwd"), NOW.minus(Duration.ofHours(11)));
        assertEquals("rule 'rule r1' requires a sign-in within 8 h: you authenticated 11 h ago — run `zerogate login`",
                policy.decide(alice, Optional.empty(), DESTINATION, 443, Protocol.TCP, NOW).reason());
    }

    @ParameterizedTest(name = "amr {0}: {1}")
    @CsvSource({
            "otp,PERMIT",
            "hwk,PERMIT",
            "swk,PERMIT",
            "mfa,PERMIT",
            "pwd otp,PERMIT",
            "pwd,MFA_REQUIRED",
            "face,MFA_REQUIRED",
            "sms,MFA_REQUIRED",
            "OTP,MFA_REQUIRED",
            "'',MFA_REQUIRED",
    })
    void mfaCountsOnlyTheAmrValuesTheProtoNames(String amr, String expected) {
        PolicySnapshot policy = policyWith(AccessConditions.NONE.withRequireMfa(true));
        Set<String> methods = amr.isEmpty() ? Set.of() : Set.copyOf(Arrays.asList(amr.split(" ")));
        Subject alice = user("alice", methods, NOW.minusSeconds(60));
        assertEquals(expected, outcome(policy.decide(alice, Optional.empty(), DESTINATION, 443, Protocol.TCP, NOW)));
    }

    @ParameterizedTest(name = "{0} s relative to expiry: {1}")
    @CsvSource({
            "-3600,PERMIT",
            "-1,PERMIT",
            "0,RULE_EXPIRED",
            "1,RULE_EXPIRED",
    })
    void expiryDeniesFromTheExpiryInstantOn(long secondsAfterExpiry, String expected) {
        Instant expiry = Instant.parse("2025-09-30T00:00:00Z");
        PolicySnapshot policy = policyWith(AccessConditions.NONE.withExpiresAt(expiry));
        Decision decision = policy.decide(user("alice"), Optional.empty(), DESTINATION, 443, Protocol.TCP,
                expiry.plusSeconds(secondsAfterExpiry));
        assertEquals(expected, outcome(decision));
        assertEquals(Optional.of("r1"), decision.rule().map(AccessRule::id));
    }

    @ParameterizedTest(name = "{0} ({1}): {2}")
    @CsvSource({
            "2025-06-02T06:00:00Z,Mon 08:00 CEST,PERMIT",
            "2025-06-02T05:59:59Z,Mon 07:59:59 CEST,OUTSIDE_TIME_WINDOW",
            "2025-06-02T16:00:00Z,Mon 18:00 CEST,OUTSIDE_TIME_WINDOW",
            "2025-06-06T20:00:00Z,Fri 22:00 CEST (night window),PERMIT",
            "2025-06-07T03:59:00Z,Sat 05:59 CEST (night window),PERMIT",
            "2025-06-07T04:00:00Z,Sat 06:00 CEST,OUTSIDE_TIME_WINDOW",
            "2025-01-13T07:00:00Z,Mon 08:00 CET,PERMIT",
            "2025-01-13T06:00:00Z,Mon 07:00 CET,OUTSIDE_TIME_WINDOW",
    })
    void timeWindowsDecideAtTheirEdges(Instant at, String local, String expected) {
        PolicySnapshot policy = policyWith(AccessConditions.NONE.withTimeWindows(List.of(
                window("MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY", "08:00", "18:00", "Europe/Berlin"),
                window("FRIDAY", "22:00", "06:00", "Europe/Berlin"))));
        Subject alice = user("alice", Set.of("pwd"), at.minusSeconds(60));
        assertEquals(expected, outcome(policy.decide(alice, Optional.empty(), DESTINATION, 443, Protocol.TCP, at)));
    }

    @Test
    void outsideTheWindowTheReasonShowsTheLocalTime() {
        PolicySnapshot policy = policyWith(AccessConditions.NONE.withTimeWindows(List.of(
                window("MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY", "08:00", "18:00", "Europe/Berlin"))));
        Instant saturdayNoon = Instant.parse("2025-06-07T10:12:00Z");
        assertEquals("rule 'rule r1' applies only Mon-Fri 08:00-18:00 (Europe/Berlin): it is Sat 12:12 there — try again inside the window",
                policy.decide(user("alice"), Optional.empty(), DESTINATION, 443, Protocol.TCP, saturdayNoon).reason());
    }

    @ParameterizedTest(name = "{0} {1} on {2} {3}: {4}")
    @CsvSource({
            "WINDOWS,10.0.22631,ON,ON,PERMIT",
            "WINDOWS,10.0.22631.3007,ON,ON,PERMIT",
            "WINDOWS,10.0.9999,ON,ON,DEVICE_POSTURE",
            "WINDOWS,10.0.22630,ON,ON,DEVICE_POSTURE",
            "WINDOWS,,ON,ON,DEVICE_POSTURE",
            "MACOS,14.4,ON,ON,PERMIT",
            "MACOS,14.3.1,ON,ON,DEVICE_POSTURE",
            "MACOS,15.0,OFF,ON,DEVICE_POSTURE",
            "MACOS,15.0,UNKNOWN,ON,DEVICE_POSTURE",
            "MACOS,15.0,ON,OFF,DEVICE_POSTURE",
            "MACOS,15.0,ON,UNKNOWN,DEVICE_POSTURE",
            "LINUX,6.8.0-45-generic,ON,ON,PERMIT",
            "ANDROID,14,ON,ON,DEVICE_POSTURE",
            "UNSPECIFIED,,ON,ON,DEVICE_POSTURE",
    })
    void postureRequirementsAreAllRequiredAndUnknownFails(OperatingSystem os, String version, PostureFlag disk, PostureFlag lock,
            String expected) {
        PostureRequirements requirements = PostureRequirements.NONE.withDiskEncryption().withScreenLock().withAllowedOs(List.of(
                new OsRequirement(OperatingSystem.WINDOWS, Optional.of(DottedVersion.parse("10.0.22631", "v"))),
                new OsRequirement(OperatingSystem.MACOS, Optional.of(DottedVersion.parse("14.4", "v"))),
                new OsRequirement(OperatingSystem.LINUX, Optional.empty())));
        PolicySnapshot policy = policyWith(AccessConditions.NONE.withDevice(requirements));
        Device device = device(os, version, disk, lock, "1.0.0", false);
        assertEquals(expected, outcome(policy.decide(user("alice"), Optional.of(device), DESTINATION, 443, Protocol.TCP, NOW)));
    }

    @ParameterizedTest(name = "client {0}: {1}")
    @CsvSource({
            "0.4.0,PERMIT",
            "0.4.1,PERMIT",
            "0.10.0,PERMIT",
            "0.3.9,DEVICE_POSTURE",
            "0.4.0-rc.1,DEVICE_POSTURE",
            "garbage,DEVICE_POSTURE",
    })
    void minimumClientVersionComparesBySemver(String client, String expected) {
        PolicySnapshot policy = policyWith(AccessConditions.NONE.withDevice(
                PostureRequirements.NONE.withMinClientVersion(SemanticVersion.parse("0.4.0", "v"))));
        Device device = device(OperatingSystem.LINUX, "6.8", PostureFlag.ON, PostureFlag.ON, client, false);
        assertEquals(expected, outcome(policy.decide(user("alice"), Optional.of(device), DESTINATION, 443, Protocol.TCP, NOW)));
    }

    @ParameterizedTest(name = "trusted {0}: {1}")
    @CsvSource({"true,PERMIT", "false,DEVICE_POSTURE"})
    void trustedDeviceRequirement(boolean trusted, String expected) {
        PolicySnapshot policy = policyWith(AccessConditions.NONE.withDevice(PostureRequirements.NONE.withTrustedDevice()));
        Device device = device(OperatingSystem.LINUX, "6.8", PostureFlag.ON, PostureFlag.ON, "1.0.0", trusted);
        assertEquals(expected, outcome(policy.decide(user("alice"), Optional.of(device), DESTINATION, 443, Protocol.TCP, NOW)));
    }

    @Test
    void postureWithoutADeviceIsDeviceRequired() {
        PolicySnapshot policy = policyWith(AccessConditions.NONE.withDevice(PostureRequirements.NONE.withDiskEncryption()));
        Decision decision = policy.decide(user("alice"), Optional.empty(), DESTINATION, 443, Protocol.TCP, NOW);
        assertEquals(DenyReason.DEVICE_REQUIRED, decision.denyReason());
        assertEquals(Optional.of("r1"), decision.rule().map(AccessRule::id));
    }

    @Test
    void aDeviceTheTokenIsNotBoundToCountsAsNoDevice() {
        PolicySnapshot policy = policyWith(AccessConditions.NONE.withDevice(PostureRequirements.NONE.withDiskEncryption()));
        Subject boundElsewhere = Subject.user("alice", Set.of(), Set.of("otp"), NOW, "dev-other");
        Subject unbound = Subject.user("alice", Set.of(), Set.of("otp"), NOW, null);
        assertEquals(DenyReason.DEVICE_REQUIRED,
                policy.decide(boundElsewhere, Optional.of(device()), DESTINATION, 443, Protocol.TCP, NOW).denyReason());
        assertEquals(DenyReason.DEVICE_REQUIRED,
                policy.decide(unbound, Optional.of(device()), DESTINATION, 443, Protocol.TCP, NOW).denyReason());
    }

    @Test
    void emptyPostureRequirementsAskForNoDevice() {
        PolicySnapshot policy = policyWith(AccessConditions.NONE.withDevice(PostureRequirements.NONE));
        assertTrue(policy.decide(user("alice"), Optional.empty(), DESTINATION, 443, Protocol.TCP, NOW).isPermit());
    }

    @Test
    void disabledRuleGrantsNothingAndSaysSo() {
        PolicySnapshot policy = snapshot(List.of(resource("res-app", DESTINATION)), List.of(group("grp", "alice")),
                List.of(TestPolicies.disabled(rule("r1", "grp", AccessConditions.NONE, "res-app"))));
        Decision decision = policy.decide(user("alice"), Optional.empty(), DESTINATION, 443, Protocol.TCP, NOW);
        assertEquals(DenyReason.NO_MATCHING_RULE, decision.denyReason());
        assertEquals(Optional.empty(), decision.rule(), "the proto leaves matched_rule_id empty for NO_MATCHING_RULE");
        assertEquals(Optional.of("res-app"), decision.resource().map(Resource::id));
    }

    @Test
    void disabledRuleDoesNotHideAnActiveOne() {
        PolicySnapshot policy = snapshot(List.of(resource("res-app", DESTINATION)), List.of(group("grp", "alice")),
                List.of(TestPolicies.disabled(rule("r1", "grp", AccessConditions.NONE, "res-app")),
                        rule("r2", "grp", AccessConditions.NONE, "res-app")));
        Decision decision = policy.decide(user("alice"), Optional.empty(), DESTINATION, 443, Protocol.TCP, NOW);
        assertEquals(Optional.of("r2"), decision.rule().map(AccessRule::id));
    }

    @Test
    void serviceAccountRuleMatchesOnlyThatServiceAccount() {
        AccessRule forBackup = new AccessRule("r-sa", "backup", RuleSubject.serviceAccount("sa-backup"), List.of("res-app"),
                AccessConditions.NONE, false, NOW.minusSeconds(10));
        PolicySnapshot policy = snapshot(List.of(resource("res-app", DESTINATION)), List.of(), List.of(forBackup));
        Subject backup = Subject.serviceAccount("sa-backup", NOW, null);
        Subject otherAccount = Subject.serviceAccount("sa-other", NOW, null);
        Subject userWithSameId = Subject.user("sa-backup", Set.of(), Set.of("otp"), NOW, null);
        assertTrue(policy.decide(backup, Optional.empty(), DESTINATION, 22, Protocol.TCP, NOW).isPermit());
        assertEquals(DenyReason.NO_MATCHING_RESOURCE,
                policy.decide(otherAccount, Optional.empty(), DESTINATION, 22, Protocol.TCP, NOW).denyReason());
        assertEquals(DenyReason.NO_MATCHING_RESOURCE,
                policy.decide(userWithSameId, Optional.empty(), DESTINATION, 22, Protocol.TCP, NOW).denyReason());
    }

    @Test
    void serviceAccountsAreMembersOfLocalGroupsOnly() {
        Group local = Group.local("grp-local", "local", Set.of(), Set.of("sa-backup"));
        Group synced = Group.idpSync("grp-idp", "synced", "backup-accounts");
        PolicySnapshot policy = snapshot(List.of(resource("res-a", "a.lan"), resource("res-b", "b.lan")), List.of(local, synced),
                List.of(rule("r-local", "grp-local", AccessConditions.NONE, "res-a"),
                        rule("r-idp", "grp-idp", AccessConditions.NONE, "res-b")));
        Subject backup = new Subject(SubjectKind.SERVICE_ACCOUNT, "sa-backup", Set.of("backup-accounts"), Set.of(),
                Optional.of(NOW), Optional.empty());
        assertTrue(policy.decide(backup, Optional.empty(), "a.lan", 22, Protocol.TCP, NOW).isPermit());
        assertEquals(DenyReason.NO_MATCHING_RESOURCE, policy.decide(backup, Optional.empty(), "b.lan", 22, Protocol.TCP, NOW).denyReason());
    }

    @Test
    void serviceAccountCannotSatisfyMfa() {
        AccessRule forBackup = new AccessRule("r-sa", "backup", RuleSubject.serviceAccount("sa-backup"), List.of("res-app"),
                AccessConditions.NONE.withRequireMfa(true), false, NOW.minusSeconds(10));
        PolicySnapshot policy = snapshot(List.of(resource("res-app", DESTINATION)), List.of(), List.of(forBackup));
        Decision decision = policy.decide(Subject.serviceAccount("sa-backup", NOW, null), Optional.empty(), DESTINATION, 22,
                Protocol.TCP, NOW);
        assertEquals(DenyReason.MFA_REQUIRED, decision.denyReason());
        assertTrue(decision.reason().contains("service account cannot provide"), decision.reason());
    }

    @Test
    void upstreamGroupMembershipComesFromTheGroupsClaimExactly() {
        PolicySnapshot policy = snapshot(List.of(resource("res-app", DESTINATION)),
                List.of(Group.idpSync("grp-family", "family", "homelab-family")),
                List.of(rule("r1", "grp-family", AccessConditions.NONE, "res-app")));
        Subject member = Subject.user("u1", Set.of("homelab-family"), Set.of(), NOW, null);
        Subject otherCase = Subject.user("u1", Set.of("Homelab-Family"), Set.of(), NOW, null);
        assertTrue(policy.decide(member, Optional.empty(), DESTINATION, 80, Protocol.TCP, NOW).isPermit());
        assertEquals(DenyReason.NO_MATCHING_RESOURCE,
                policy.decide(otherCase, Optional.empty(), DESTINATION, 80, Protocol.TCP, NOW).denyReason());
    }

    @Test
    void ruleForAnUnknownGroupMatchesNobody() {
        PolicySnapshot policy = snapshot(List.of(resource("res-app", DESTINATION)), List.of(),
                List.of(rule("r1", "grp-gone", AccessConditions.NONE, "res-app")));
        assertEquals(DenyReason.NO_MATCHING_RESOURCE,
                policy.decide(user("alice"), Optional.empty(), DESTINATION, 80, Protocol.TCP, NOW).denyReason());
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource({
            "TCP,1,PERMIT", "TCP,2,PORT_NOT_ALLOWED", "TCP,2999,PORT_NOT_ALLOWED", "TCP,3000,PERMIT", "TCP,3999,PERMIT",
            "TCP,4000,PORT_NOT_ALLOWED", "TCP,65534,PORT_NOT_ALLOWED", "TCP,65535,PERMIT",
            "UDP,53,PERMIT", "UDP,54,PORT_NOT_ALLOWED", "ICMP,0,PORT_NOT_ALLOWED",
    })
    void portRulesApplyPerProtocolAtTheirEdges(Protocol protocol, int port, String expected) {
        Resource app = resource("res-app", DESTINATION, PortPolicy.listed("1", "3000-3999", "65535"), PortPolicy.listed("53"), false);
        PolicySnapshot policy = snapshot(List.of(app), List.of(group("grp", "alice")),
                List.of(rule("r1", "grp", AccessConditions.NONE, "res-app")));
        assertEquals(expected, outcome(policy.decide(user("alice"), Optional.empty(), DESTINATION, port, protocol, NOW)));
    }

    @Test
    void oldestPermittingRuleDecidesWhateverTheInputOrder() {
        Resource app = resource("res-app", DESTINATION);
        AccessRule newer = TestPolicies.createdAt(rule("r-newer", "grp", AccessConditions.NONE, "res-app"), NOW.minusSeconds(10));
        AccessRule older = TestPolicies.createdAt(rule("r-older", "grp", AccessConditions.NONE, "res-app"), NOW.minusSeconds(20));
        AccessRule sameTimeLowerId = TestPolicies.createdAt(rule("r-a", "grp", AccessConditions.NONE, "res-app"), NOW.minusSeconds(10));
        for (List<AccessRule> rules : List.of(List.of(newer, older), List.of(older, newer))) {
            PolicySnapshot policy = snapshot(List.of(app), List.of(group("grp", "alice")), rules);
            assertEquals(Optional.of("r-older"),
                    policy.decide(user("alice"), Optional.empty(), DESTINATION, 80, Protocol.TCP, NOW).rule().map(AccessRule::id));
        }
        PolicySnapshot tie = snapshot(List.of(app), List.of(group("grp", "alice")), List.of(newer, sameTimeLowerId));
        assertEquals(Optional.of("r-a"),
                tie.decide(user("alice"), Optional.empty(), DESTINATION, 80, Protocol.TCP, NOW).rule().map(AccessRule::id));
    }

    @Test
    void grantNeverOutlivesTheWindowOrTheExpiry() {
        TimeWindow office = window("MONDAY", "08:00", "18:00", "Europe/Berlin");
        Instant mondayNoon = NOW; // 12:00 CEST; the window ends 16:00Z
        PolicySnapshot windowOnly = policyWith(AccessConditions.NONE.withTimeWindows(List.of(office)));
        assertEquals(Optional.of(Instant.parse("2025-06-02T16:00:00Z")),
                windowOnly.decide(user("alice"), Optional.empty(), DESTINATION, 80, Protocol.TCP, mondayNoon).notAfter());
        Instant soon = Instant.parse("2025-06-02T11:00:00Z");
        PolicySnapshot both = policyWith(AccessConditions.NONE.withTimeWindows(List.of(office)).withExpiresAt(soon));
        assertEquals(Optional.of(soon), both.decide(user("alice"), Optional.empty(), DESTINATION, 80, Protocol.TCP, mondayNoon).notAfter());
        assertEquals(Optional.empty(),
                policyWith(AccessConditions.NONE).decide(user("alice"), Optional.empty(), DESTINATION, 80, Protocol.TCP, NOW).notAfter());
    }

    @Test
    void mostActionableFailureIsReportedWhenEveryRuleFails() {
        Resource app = resource("res-app", DESTINATION);
        TimeWindow never = window("SUNDAY", "03:00", "04:00", "UTC");
        AccessRule timeOnly = rule("r-time", "grp", AccessConditions.NONE.withTimeWindows(List.of(never)), "res-app");
        AccessRule postureOnly = rule("r-posture", "grp",
                AccessConditions.NONE.withDevice(PostureRequirements.NONE.withTrustedDevice()), "res-app");
        AccessRule mfaAndTime = rule("r-mfa-time", "grp",
                AccessConditions.NONE.withRequireMfa(true).withTimeWindows(List.of(never)), "res-app");
        AccessRule mfaOnly = rule("r-mfa", "grp", AccessConditions.NONE.withRequireMfa(true), "res-app");
        Subject noMfa = user("alice", Set.of("pwd"), NOW.minusSeconds(60));
        Device untrusted = device(OperatingSystem.LINUX, "6.8", PostureFlag.ON, PostureFlag.ON, "1.0.0", false);

        Decision all = snapshot(List.of(app), List.of(group("grp", "alice")), List.of(timeOnly, postureOnly, mfaAndTime, mfaOnly))
                .decide(noMfa, Optional.of(untrusted), DESTINATION, 80, Protocol.TCP, NOW);
        assertEquals(DenyReason.MFA_REQUIRED, all.denyReason());
        assertEquals(Optional.of("r-mfa"), all.rule().map(AccessRule::id));

        Decision withoutMfaRule = snapshot(List.of(app), List.of(group("grp", "alice")), List.of(timeOnly, postureOnly, mfaAndTime))
                .decide(noMfa, Optional.of(untrusted), DESTINATION, 80, Protocol.TCP, NOW);
        assertEquals(DenyReason.DEVICE_POSTURE, withoutMfaRule.denyReason());

        Decision timeRules = snapshot(List.of(app), List.of(group("grp", "alice")), List.of(mfaAndTime, timeOnly))
                .decide(noMfa, Optional.of(untrusted), DESTINATION, 80, Protocol.TCP, NOW);
        assertEquals(DenyReason.OUTSIDE_TIME_WINDOW, timeRules.denyReason());
        assertEquals(Optional.of("r-time"), timeRules.rule().map(AccessRule::id), "fewer unmet conditions wins the tie");
    }

    @Test
    void ruleFailingMfaAndTimeWindowReportsTheWindowAndMentionsBoth() {
        TimeWindow never = window("SUNDAY", "03:00", "04:00", "UTC");
        PolicySnapshot policy = policyWith(AccessConditions.NONE.withRequireMfa(true).withTimeWindows(List.of(never)));
        Decision decision = policy.decide(user("alice", Set.of("pwd"), NOW), Optional.empty(), DESTINATION, 80, Protocol.TCP, NOW);
        assertEquals(DenyReason.OUTSIDE_TIME_WINDOW, decision.denyReason());
        assertEquals("rule 'rule r1' applies only Sun 03:00-04:00 (UTC): it is Mon 10:00 there; it also requires MFA, and your "
                + "sign-in had no second factor (pwd) — try again inside the window, then run `zerogate login` and use your second factor",
                decision.reason());
    }

    @Test
    void expiredRuleIsReportedOnlyWhenNoActiveRuleApplies() {
        Resource app = resource("res-app", DESTINATION);
        AccessRule expired = rule("r-expired", "grp", AccessConditions.NONE.withExpiresAt(NOW.minusSeconds(1)), "res-app");
        AccessRule needsMfa = rule("r-mfa", "grp", AccessConditions.NONE.withRequireMfa(true), "res-app");
        Decision decision = snapshot(List.of(app), List.of(group("grp", "alice")), List.of(expired, needsMfa))
                .decide(user("alice", Set.of("pwd"), NOW), Optional.empty(), DESTINATION, 80, Protocol.TCP, NOW);
        assertEquals(DenyReason.MFA_REQUIRED, decision.denyReason());
    }

    @Test
    void reasonsNeverExceedTheProtoLimit() {
        List<TimeWindow> windows = java.util.stream.IntStream.range(0, 20)
                .mapToObj(i -> window("SUNDAY", "03:00", "04:00", i % 2 == 0 ? "America/Argentina/Buenos_Aires" : "Antarctica/DumontDUrville"))
                .collect(Collectors.toList());
        PolicySnapshot policy = policyWith(AccessConditions.NONE.withTimeWindows(windows));
        Decision decision = policy.decide(user("alice"), Optional.empty(), DESTINATION, 80, Protocol.TCP, NOW);
        assertEquals(DenyReason.OUTSIDE_TIME_WINDOW, decision.denyReason());
        assertTrue(decision.reason().length() <= Decision.MAX_REASON_LENGTH, "length " + decision.reason().length());
    }
}
