package dev.zerogate.policy.engine.validation;

import dev.zerogate.policy.engine.InvalidPolicyException;
import dev.zerogate.policy.engine.address.ResourceAddress;
import dev.zerogate.policy.engine.conditions.AccessConditions;
import dev.zerogate.policy.engine.conditions.OperatingSystem;
import dev.zerogate.policy.engine.conditions.OsRequirement;
import dev.zerogate.policy.engine.conditions.PostureRequirements;
import dev.zerogate.policy.engine.model.AccessRule;
import dev.zerogate.policy.engine.model.Group;
import dev.zerogate.policy.engine.model.GroupSource;
import dev.zerogate.policy.engine.model.PolicyContents;
import dev.zerogate.policy.engine.model.PortPolicy;
import dev.zerogate.policy.engine.model.Resource;
import dev.zerogate.policy.engine.model.RuleSubject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.zerogate.policy.engine.TestPolicies.NOW;
import static dev.zerogate.policy.engine.TestPolicies.group;
import static dev.zerogate.policy.engine.TestPolicies.resource;
import static dev.zerogate.policy.engine.TestPolicies.rule;
import static dev.zerogate.policy.engine.TestPolicies.window;
import static dev.zerogate.policy.engine.TestPolicies.withAlias;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every validation message, on the smallest policy that triggers it. */
class PolicyValidatorTest {

    private static List<PolicyProblem> validate(List<Resource> resources, List<Group> groups, List<AccessRule> rules) {
        return PolicyValidator.validate(new PolicyContents(resources, groups, rules), NOW);
    }

    private static PolicyProblem single(List<PolicyProblem> problems) {
        assertEquals(1, problems.size(), problems.toString());
        return problems.get(0);
    }

    @Test
    void aValidPolicyHasNoProblems() {
        assertEquals(List.of(), validate(List.of(resource("res-a", "a.lan")), List.of(group("grp", "alice")),
                List.of(rule("r1", "grp", AccessConditions.NONE, "res-a"))));
    }

    @Test
    void duplicateAddressInAnySpellingIsAConflict() {
        PolicyProblem problem = single(validate(List.of(resource("res-a", "10.0.0.0/24"), resource("res-b", "10.0.0.7/24")),
                List.of(), List.of()));
        assertEquals(PolicyProblem.Category.CONFLICT, problem.category());
        assertEquals("res-b", problem.entityId());
        assertEquals(Optional.of("res-a"), problem.relatedId());
        assertEquals("address 10.0.0.0/24 is already resource 'name of res-a' (10.0.0.0/24): an address belongs to one resource; "
                + "change the ports of that resource instead", problem.message());
    }

    @Test
    void aliasCollidingWithAnotherResourcesAddressIsAConflict() {
        PolicyProblem problem = single(validate(List.of(resource("res-a", "pihole.lan"),
                withAlias(resource("res-b", "10.0.0.5"), "PiHole.lan")), List.of(), List.of()));
        assertEquals("alias", problem.field());
        assertEquals("the alias 'pihole.lan' is already the address of resource 'name of res-a' (pihole.lan): a name can lead to "
                + "one resource only; pick another alias", problem.message());
    }

    @Test
    void aliasCollidingWithAnotherResourcesAliasIsAConflict() {
        PolicyProblem problem = single(validate(List.of(withAlias(resource("res-a", "10.0.0.4"), "nas.zg"),
                withAlias(resource("res-b", "10.0.0.5"), "nas.zg")), List.of(), List.of()));
        assertTrue(problem.message().startsWith("the alias 'nas.zg' is already the alias of resource 'name of res-a'"),
                problem.message());
    }

    @Test
    void addressCollidingWithAnEarlierAliasIsAConflict() {
        PolicyProblem problem = single(validate(List.of(withAlias(resource("res-a", "10.0.0.4"), "nas.lan"),
                resource("res-b", "nas.lan")), List.of(), List.of()));
        assertEquals("address", problem.field());
        assertTrue(problem.message().startsWith("the address 'nas.lan' is already the alias of resource"), problem.message());
    }

    @Test
    void aliasOnlyStandsForASingleHost() {
        PolicyProblem problem = single(validate(List.of(withAlias(resource("res-lan", "192.168.1.0/24"), "lan.zg")),
                List.of(), List.of()));
        assertEquals(PolicyProblem.Category.INVALID, problem.category());
        assertEquals("alias 'lan.zg' cannot stand for 192.168.1.0/24, which is not a single host: an alias names one host; remove it",
                problem.message());
    }

    @Test
    void aliasEqualToItsOwnAddressIsPointless() {
        PolicyProblem problem = single(validate(List.of(withAlias(resource("res-a", "pihole.lan"), "pihole.lan")), List.of(), List.of()));
        assertEquals("alias 'pihole.lan' is the same as the address: leave the alias empty", problem.message());
    }

    @Test
    void duplicateResourceNameInOneNetworkIsAConflict() {
        Resource a = resource("res-a", "a.lan");
        Resource b = new Resource("res-b", a.networkId(), "NAME OF RES-A", ResourceAddress.parse("b.lan"), Optional.empty(),
                PortPolicy.ALL, PortPolicy.ALL, false);
        assertEquals("name", single(validate(List.of(a, b), List.of(), List.of())).field());
    }

    @Test
    void unknownGroupIsAMissingReference() {
        PolicyProblem problem = single(validate(List.of(resource("res-a", "a.lan")), List.of(),
                List.of(rule("r1", "grp-missing", AccessConditions.NONE, "res-a"))));
        assertEquals(PolicyProblem.Category.MISSING_REFERENCE, problem.category());
        assertEquals("rule 'rule r1' is for group 'grp-missing', which does not exist: create the group first or choose an existing one",
                problem.message());
    }

    @Test
    void unknownResourceIsAMissingReference() {
        PolicyProblem problem = single(validate(List.of(resource("res-a", "a.lan")), List.of(group("grp")),
                List.of(rule("r1", "grp", AccessConditions.NONE, "res-a", "res-gone"))));
        assertEquals("rule 'rule r1' lists resource 'res-gone', which does not exist: remove it from the rule or create the resource "
                + "first", problem.message());
    }

    @Test
    void ruleWhoseResourcesAreAllMissingCanNeverMatch() {
        List<PolicyProblem> problems = validate(List.of(resource("res-a", "a.lan")), List.of(group("grp")),
                List.of(rule("r1", "grp", AccessConditions.NONE, "res-gone", "res-deleted")));
        assertEquals(List.of(PolicyProblem.Category.MISSING_REFERENCE, PolicyProblem.Category.MISSING_REFERENCE,
                PolicyProblem.Category.INVALID), problems.stream().map(PolicyProblem::category).toList());
        assertEquals("rule 'rule r1' can never match: none of the 2 resources it lists exists: list at least one existing resource, "
                + "or delete the rule", problems.get(2).message());
    }

    @Test
    void ruleWhoseResourcesAreMissingOrClosedCanNeverMatch() {
        Resource closed = resource("res-closed", "a.lan", PortPolicy.NONE, PortPolicy.NONE, false);
        List<PolicyProblem> problems = validate(List.of(closed), List.of(group("grp")),
                List.of(rule("r1", "grp", AccessConditions.NONE, "res-closed", "res-gone")));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(1).message().startsWith("rule 'rule r1' can never match: every resource it lists allows no port"),
                problems.get(1).message());
    }

    @Test
    void ruleWhoseResourcesAreAllClosedCanNeverMatch() {
        Resource closed = resource("res-closed", "a.lan", PortPolicy.NONE, PortPolicy.NONE, false);
        PolicyProblem problem = single(validate(List.of(closed), List.of(group("grp")),
                List.of(rule("r1", "grp", AccessConditions.NONE, "res-closed"))));
        assertEquals("rule 'rule r1' can never match: every resource it lists allows no port (TCP none, UDP none, ICMP off): open a "
                + "port on 'name of res-closed' (a.lan) or list another resource", problem.message());
    }

    @Test
    void closedResourceBesideAnOpenOneIsFine() {
        Resource closed = resource("res-closed", "a.lan", PortPolicy.NONE, PortPolicy.NONE, false);
        Resource pingOnly = resource("res-ping", "b.lan", PortPolicy.NONE, PortPolicy.NONE, true);
        assertEquals(List.of(), validate(List.of(closed, pingOnly), List.of(group("grp")),
                List.of(rule("r1", "grp", AccessConditions.NONE, "res-closed", "res-ping"))));
    }

    @Test
    void alreadyExpiredRuleCanNeverMatch() {
        PolicyProblem problem = single(validate(List.of(resource("res-a", "a.lan")), List.of(group("grp")),
                List.of(rule("r1", "grp", AccessConditions.NONE.withExpiresAt(NOW), "res-a"))));
        assertEquals("conditions.expires_at", problem.field());
        assertEquals("rule 'rule r1' can never match: it expires at 2025-06-02T10:00:00Z, which is not after now "
                + "(2025-06-02T10:00:00Z): choose a later expiry or delete the rule", problem.message());
    }

    @Test
    void timeWindowStartingWhereItEndsIsRefusedAsAmbiguous() {
        PolicyProblem problem = single(validate(List.of(resource("res-a", "a.lan")), List.of(group("grp")),
                List.of(rule("r1", "grp", AccessConditions.NONE.withTimeWindows(List.of(
                        window("MONDAY", "08:00", "18:00", "UTC"), window("MONDAY", "08:00", "08:00", "UTC"))), "res-a"))));
        assertEquals("conditions.time_windows[1]", problem.field());
        assertTrue(problem.message().contains("from 08:00 to 08:00, which reads as empty or as 24 hours"), problem.message());
    }

    @Test
    void serviceAccountRuleRequiringMfaCanNeverMatch() {
        AccessRule rule = new AccessRule("r1", "backup", RuleSubject.serviceAccount("sa-1"), List.of("res-a"),
                AccessConditions.NONE.withRequireMfa(true), false, NOW);
        PolicyProblem problem = single(validate(List.of(resource("res-a", "a.lan")), List.of(), List.of(rule)));
        assertTrue(problem.message().contains("requires MFA, which service accounts cannot provide"), problem.message());
    }

    @Test
    void duplicateNamesOfGroupsAndRulesAndUpstreamGroupsAreConflicts() {
        List<PolicyProblem> problems = validate(List.of(resource("res-a", "a.lan")),
                List.of(Group.idpSync("g1", "Family", "homelab-family"), Group.idpSync("g2", "family", "homelab-family")),
                List.of(new AccessRule("r1", "Same", RuleSubject.group("g1"), List.of("res-a"), AccessConditions.NONE, false, NOW),
                        new AccessRule("r2", "same", RuleSubject.group("g1"), List.of("res-a"), AccessConditions.NONE, false, NOW)));
        assertEquals(List.of("name", "idp_group_name", "name"), problems.stream().map(PolicyProblem::field).toList());
        assertTrue(problems.get(1).message().contains("the IdP group 'homelab-family' is already followed by group 'Family'"));
    }

    @Test
    void validatingAChangeReportsOnlyProblemsItCausesOrTouches() {
        AccessRule oldExpired = rule("r-old", "grp", AccessConditions.NONE.withExpiresAt(NOW.minusSeconds(60)), "res-a");
        AccessRule changed = rule("r-new", "grp", AccessConditions.NONE, "res-a", "res-gone");
        PolicyContents after = new PolicyContents(List.of(resource("res-a", "a.lan")), List.of(group("grp")), List.of(oldExpired, changed));
        assertEquals(2, PolicyValidator.validate(after, NOW).size());
        List<PolicyProblem> forChange = PolicyValidator.validateChange(after, "r-new", NOW);
        assertEquals(List.of("r-new"), forChange.stream().map(PolicyProblem::entityId).toList());
        PolicyContents afterDeletingResource = new PolicyContents(List.of(), List.of(group("grp")),
                List.of(rule("r1", "grp", AccessConditions.NONE, "res-a")));
        assertEquals(PolicyProblem.Category.MISSING_REFERENCE,
                single(PolicyValidator.validateChange(afterDeletingResource, "res-a", NOW)).category(),
                "deleting a resource a rule still lists is refused (FAILED_PRECONDITION)");
    }

    @Test
    void modelConstructorsRefuseOutOfRangeValuesNamingTheField() {
        assertEquals("conditions.max_auth_age", assertThrows(InvalidPolicyException.class,
                () -> AccessConditions.NONE.withMaxAuthAge(Duration.ofSeconds(59))).field());
        assertEquals("conditions.max_auth_age", assertThrows(InvalidPolicyException.class,
                () -> AccessConditions.NONE.withMaxAuthAge(Duration.ofDays(31))).field());
        assertEquals("resource_ids", assertThrows(InvalidPolicyException.class,
                () -> rule("r1", "grp", AccessConditions.NONE, "res-a", "res-a")).field());
        assertEquals("resource_ids", assertThrows(InvalidPolicyException.class,
                () -> rule("r1", "grp", AccessConditions.NONE)).field());
        assertEquals("conditions.device.allowed_os", assertThrows(InvalidPolicyException.class,
                () -> PostureRequirements.NONE.withAllowedOs(List.of(new OsRequirement(OperatingSystem.LINUX, Optional.empty()),
                        new OsRequirement(OperatingSystem.LINUX, Optional.empty())))).field());
        assertEquals("idp_group_name", assertThrows(InvalidPolicyException.class,
                () -> new Group("g", "g", GroupSource.LOCAL, Optional.of("x"), Set.of(), Set.of())).field());
        assertEquals("idp_group_name", assertThrows(InvalidPolicyException.class, () -> Group.idpSync("g", "g", "")).field());
        assertEquals("name", assertThrows(InvalidPolicyException.class,
                () -> new Resource("r", "n", "  ", ResourceAddress.parse("a.lan"), Optional.empty(), PortPolicy.ALL, PortPolicy.ALL, false))
                .field());
        assertEquals("conditions.time_windows", assertThrows(InvalidPolicyException.class,
                () -> AccessConditions.NONE.withTimeWindows(java.util.Collections.nCopies(21, window("MONDAY", "08:00", "09:00", "UTC"))))
                .field());
        assertEquals("created_at", assertThrows(InvalidPolicyException.class,
                () -> new AccessRule("r", "r", RuleSubject.group("g"), List.of("a"), AccessConditions.NONE, false, (Instant) null)).field());
    }
}
