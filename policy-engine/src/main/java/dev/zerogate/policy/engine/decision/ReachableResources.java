package dev.zerogate.policy.engine.decision;

import dev.zerogate.policy.engine.model.AccessRule;
import dev.zerogate.policy.engine.model.Device;
import dev.zerogate.policy.engine.model.Group;
import dev.zerogate.policy.engine.model.Resource;
import dev.zerogate.policy.engine.model.Subject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * ListMyResources: every resource the caller has an active (enabled, unexpired) rule for, with
 * the rules, their conditions, and the conditions unmet right now, so the CLI can say "requires
 * MFA". Resources whose rules are all disabled or expired are not listed: they grant nothing.
 * Ordered by connect name, then id.
 */
final class ReachableResources {

    private final PolicySnapshot policy;

    ReachableResources(PolicySnapshot policy) {
        this.policy = policy;
    }

    List<ReachableResource> list(Subject subject, Optional<Device> device, Instant now) {
        if (subject == null || !subject.isEvaluable() || now == null) {
            return List.of();
        }
        Map<Resource, List<AllowingRule>> allowing = new LinkedHashMap<>();
        Map<Resource, Boolean> reachableNow = new LinkedHashMap<>();
        Map<Resource, Set<String>> unmetLabels = new LinkedHashMap<>();
        for (AccessRule rule : policy.rulesInOrder()) {
            if (!rule.isActiveAt(now)) {
                continue;
            }
            Optional<RuleMatch> match = RuleMatch.of(rule, subject, policy.groupsById());
            if (match.isEmpty()) {
                continue;
            }
            AllowingRule allowingRule = new AllowingRule(rule.id(), rule.name(), match.get().viaGroup().map(Group::id),
                    match.get().viaGroup().map(Group::name), ConditionEvaluator.describe(rule.conditions()));
            List<UnmetCondition> unmet = ConditionEvaluator.unmet(rule.conditions(), subject, device, now);
            for (String resourceId : rule.resourceIds()) {
                Resource resource = policy.resourcesById().get(resourceId);
                if (resource == null) {
                    continue;
                }
                allowing.computeIfAbsent(resource, r -> new ArrayList<>()).add(allowingRule);
                reachableNow.merge(resource, unmet.isEmpty(), Boolean::logicalOr);
                unmet.forEach(condition -> unmetLabels.computeIfAbsent(resource, r -> new LinkedHashSet<>()).add(condition.label()));
            }
        }
        List<ReachableResource> listed = new ArrayList<>();
        for (Map.Entry<Resource, List<AllowingRule>> entry : allowing.entrySet()) {
            Resource resource = entry.getKey();
            List<String> unmet = reachableNow.get(resource)
                    ? List.of()
                    : unmetLabels.get(resource).stream().limit(ReachableResource.MAX_UNMET_CONDITIONS).toList();
            listed.add(new ReachableResource(resource, resource.connectName(), entry.getValue(), unmet));
        }
        listed.sort(Comparator.comparing(ReachableResource::connectName).thenComparing(r -> r.resource().id()));
        return List.copyOf(listed);
    }
}
