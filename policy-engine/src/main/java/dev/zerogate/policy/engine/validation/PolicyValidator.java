package dev.zerogate.policy.engine.validation;

import dev.zerogate.policy.engine.HumanText;
import dev.zerogate.policy.engine.address.ResourceAddress;
import dev.zerogate.policy.engine.conditions.TimeWindow;
import dev.zerogate.policy.engine.model.AccessRule;
import dev.zerogate.policy.engine.model.Group;
import dev.zerogate.policy.engine.model.PolicyContents;
import dev.zerogate.policy.engine.model.Resource;
import dev.zerogate.policy.engine.model.RuleSubject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a policy as a whole for problems a single entity cannot see: duplicate addresses and
 * names, aliases that collide, references to what does not exist, and rules that can never
 * match. (Malformed values, such as a bad address or a port out of bounds, never get this far:
 * the model's constructors and parsers refuse them with an
 * {@link dev.zerogate.policy.engine.InvalidPolicyException}.)
 *
 * <p>When two entities collide, the problem is reported on the later one in list order, with
 * the earlier as {@link PolicyProblem#relatedId()}.
 */
public final class PolicyValidator {

    private PolicyValidator() {}

    /** Every problem in the policy, judged at {@code now}. */
    public static List<PolicyProblem> validate(PolicyContents policy, Instant now) {
        List<PolicyProblem> problems = new ArrayList<>();
        checkResources(policy.resources(), problems);
        checkGroups(policy.groups(), problems);
        checkRules(policy, now, problems);
        return List.copyOf(problems);
    }

    /**
     * The problems a change to one entity causes or touches: {@code policy} is the policy after
     * the change (without the entity, for a delete). Older problems of unrelated entities, such as
     * another rule that has since expired, do not block the change.
     */
    public static List<PolicyProblem> validateChange(PolicyContents policy, String changedEntityId, Instant now) {
        return validate(policy, now).stream().filter(problem -> problem.involves(changedEntityId)).toList();
    }

    private static void checkResources(List<Resource> resources, List<PolicyProblem> problems) {
        Map<String, Resource> byNameInNetwork = new HashMap<>();
        Map<String, Resource> byAddress = new HashMap<>();
        Map<String, Resource> byDnsName = new HashMap<>();
        for (Resource resource : resources) {
            Resource sameName = byNameInNetwork.putIfAbsent(resource.networkId() + "\n" + resource.name().toLowerCase(Locale.ROOT), resource);
            if (sameName != null) {
                problems.add(PolicyProblem.conflict(resource.id(), "name", "the name '" + resource.name()
                        + "' is already used in this remote network by resource " + sameName.describe() + ": pick another name", sameName.id()));
            }
            Resource sameAddress = byAddress.putIfAbsent(resource.address().text(), resource);
            if (sameAddress != null) {
                problems.add(PolicyProblem.conflict(resource.id(), "address", "address " + resource.address().text()
                        + " is already resource " + sameAddress.describe() + ": an address belongs to one resource; change the ports of "
                        + "that resource instead", sameAddress.id()));
            }
            checkAlias(resource, problems);
            if (resource.address() instanceof ResourceAddress.Fqdn) {
                claimDnsName(resource.address().text(), "address", resource, byDnsName, problems);
            }
            resource.alias().ifPresent(alias -> claimDnsName(alias.value(), "alias", resource, byDnsName, problems));
        }
    }

    private static void checkAlias(Resource resource, List<PolicyProblem> problems) {
        if (resource.alias().isEmpty()) {
            return;
        }
        String alias = resource.alias().get().value();
        if (!resource.address().isSingleHost()) {
            problems.add(PolicyProblem.invalid(resource.id(), "alias", "alias '" + alias + "' cannot stand for "
                    + resource.address().text() + ", which is not a single host: an alias names one host; remove it"));
        } else if (alias.equals(resource.address().text())) {
            problems.add(PolicyProblem.invalid(resource.id(), "alias", "alias '" + alias
                    + "' is the same as the address: leave the alias empty"));
        }
    }

    /** Addresses and aliases share one namespace: a name may point at one resource only. */
    private static void claimDnsName(String name, String field, Resource resource, Map<String, Resource> byDnsName,
            List<PolicyProblem> problems) {
        Resource holder = byDnsName.putIfAbsent(name, resource);
        if (holder == null || holder == resource) {
            return;
        }
        String holderUse = holder.address().text().equals(name) ? "the address" : "the alias";
        problems.add(PolicyProblem.conflict(resource.id(), field, "the " + field + " '" + name + "' is already " + holderUse
                + " of resource " + holder.describe() + ": a name can lead to one resource only; pick another "
                + field, holder.id()));
    }

    private static void checkGroups(List<Group> groups, List<PolicyProblem> problems) {
        Map<String, Group> byName = new HashMap<>();
        Map<String, Group> byIdpName = new HashMap<>();
        for (Group group : groups) {
            Group sameName = byName.putIfAbsent(group.name().toLowerCase(Locale.ROOT), group);
            if (sameName != null) {
                problems.add(PolicyProblem.conflict(group.id(), "name", "the group name '" + group.name()
                        + "' is already taken (names are compared ignoring case): pick another", sameName.id()));
            }
            group.idpGroupName().ifPresent(idpName -> {
                Group sameIdp = byIdpName.putIfAbsent(idpName, group);
                if (sameIdp != null) {
                    problems.add(PolicyProblem.conflict(group.id(), "idp_group_name", "the IdP group '" + idpName
                            + "' is already followed by group '" + sameIdp.name() + "': use that group in your rules", sameIdp.id()));
                }
            });
        }
    }

    private static void checkRules(PolicyContents policy, Instant now, List<PolicyProblem> problems) {
        Map<String, Resource> resources = new HashMap<>();
        policy.resources().forEach(r -> resources.put(r.id(), r));
        Map<String, Group> groups = new HashMap<>();
        policy.groups().forEach(g -> groups.put(g.id(), g));
        Map<String, AccessRule> byName = new HashMap<>();
        for (AccessRule rule : policy.rules()) {
            AccessRule sameName = byName.putIfAbsent(rule.name().toLowerCase(Locale.ROOT), rule);
            if (sameName != null) {
                problems.add(PolicyProblem.conflict(rule.id(), "name", "the rule name '" + rule.name()
                        + "' is already taken (names are compared ignoring case): pick another", sameName.id()));
            }
            if (rule.subject().kind() == RuleSubject.Kind.GROUP && !groups.containsKey(rule.subject().id())) {
                problems.add(PolicyProblem.missing(rule.id(), "group_id", rule.describe() + " is for group '" + rule.subject().id()
                        + "', which does not exist: create the group first or choose an existing one", rule.subject().id()));
            }
            List<Resource> listed = new ArrayList<>();
            for (String resourceId : rule.resourceIds()) {
                Resource resource = resources.get(resourceId);
                if (resource == null) {
                    problems.add(PolicyProblem.missing(rule.id(), "resource_ids", rule.describe() + " lists resource '" + resourceId
                            + "', which does not exist: remove it from the rule or create the resource first", resourceId));
                } else {
                    listed.add(resource);
                }
            }
            checkCanMatch(rule, listed, now, problems);
        }
    }

    /** Reports rules that can never permit anything, whatever the caller does. */
    private static void checkCanMatch(AccessRule rule, List<Resource> listed, Instant now, List<PolicyProblem> problems) {
        String never = rule.describe() + " can never match: ";
        if (listed.isEmpty()) {
            // Each missing id is also reported on its own; this says what it means for the rule.
            problems.add(PolicyProblem.invalid(rule.id(), "resource_ids", never + "none of the " + rule.resourceIds().size()
                    + " resources it lists exists: list at least one existing resource, or delete the rule"));
        } else if (listed.stream().allMatch(Resource::isClosed)) {
            problems.add(PolicyProblem.invalid(rule.id(), "resource_ids", never + "every resource it lists allows no port "
                    + "(TCP none, UDP none, ICMP off): open a port on " + listed.get(0).describe() + " or list another resource"));
        }
        rule.conditions().expiresAt().filter(expiry -> !expiry.isAfter(now)).ifPresent(expiry ->
                problems.add(PolicyProblem.invalid(rule.id(), "conditions.expires_at", never + "it expires at " + expiry
                        + ", which is not after now (" + now + "): choose a later expiry or delete the rule")));
        List<TimeWindow> windows = rule.conditions().timeWindows();
        for (int i = 0; i < windows.size(); i++) {
            TimeWindow window = windows.get(i);
            if (window.startMinute() == window.endMinute()) {
                String time = HumanText.timeOfDay(window.startMinute());
                problems.add(PolicyProblem.invalid(rule.id(), "conditions.time_windows[" + i + "]", rule.describe() + " has a time "
                        + "window from " + time + " to " + time + ", which reads as empty or as 24 hours: write 00:00-24:00 for a whole "
                        + "day, or an end before the start for a window past midnight"));
            }
        }
        if (rule.subject().kind() == RuleSubject.Kind.SERVICE_ACCOUNT && rule.conditions().requireMfa()) {
            problems.add(PolicyProblem.invalid(rule.id(), "conditions.require_mfa", never + "it is for a service account and "
                    + "requires MFA, which service accounts cannot provide: drop the MFA requirement"));
        }
    }
}
