package dev.zerogate.policy.engine.decision;

import dev.zerogate.policy.engine.InvalidPolicyException;
import dev.zerogate.policy.engine.address.Destination;
import dev.zerogate.policy.engine.model.AccessRule;
import dev.zerogate.policy.engine.model.Device;
import dev.zerogate.policy.engine.model.Group;
import dev.zerogate.policy.engine.model.PolicyContents;
import dev.zerogate.policy.engine.model.Protocol;
import dev.zerogate.policy.engine.model.Resource;
import dev.zerogate.policy.engine.model.Subject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable, indexed copy of the policy: the unit the service swaps in on every change and
 * evaluates every request against. Safe to share between threads once built.
 *
 * <p>Cost: building is linear in the size of the policy; a decision is a few hash lookups to
 * find the resource (see {@link ResourceIndex}) plus the evaluation of the rules that list it,
 * so it does not grow with the number of resources or unrelated rules.
 */
public final class PolicySnapshot {

    private final Map<String, Resource> resourcesById;
    private final Map<String, Group> groupsById;
    private final List<AccessRule> rulesInOrder;
    private final Map<String, List<AccessRule>> rulesByResourceId;
    private final ResourceIndex index;

    private PolicySnapshot(PolicyContents contents) {
        Map<String, Resource> resources = new HashMap<>();
        contents.resources().forEach(r -> putUnique(resources, r.id(), r, "resource"));
        Map<String, Group> groups = new HashMap<>();
        contents.groups().forEach(g -> putUnique(groups, g.id(), g, "group"));
        List<AccessRule> rules = new ArrayList<>(contents.rules());
        rules.sort(AccessRule.EVALUATION_ORDER);
        Map<String, AccessRule> rulesById = new HashMap<>();
        rules.forEach(rule -> putUnique(rulesById, rule.id(), rule, "rule"));
        Map<String, List<AccessRule>> byResource = new HashMap<>();
        for (AccessRule rule : rules) {
            for (String resourceId : rule.resourceIds()) {
                byResource.computeIfAbsent(resourceId, id -> new ArrayList<>()).add(rule);
            }
        }
        byResource.replaceAll((id, list) -> List.copyOf(list));
        this.resourcesById = Map.copyOf(resources);
        this.groupsById = Map.copyOf(groups);
        this.rulesInOrder = List.copyOf(rules);
        this.rulesByResourceId = Map.copyOf(byResource);
        this.index = ResourceIndex.build(contents.resources());
    }

    private static <T> void putUnique(Map<String, T> map, String id, T value, String what) {
        if (map.putIfAbsent(id, value) != null) {
            throw new IllegalArgumentException("two " + what + "s have the id " + id);
        }
    }

    /**
     * Builds a snapshot. Rules naming unknown groups or resources are kept but never match (fail
     * closed). Run {@link dev.zerogate.policy.engine.validation.PolicyValidator} on changes before they get here.
     *
     * @throws IllegalArgumentException on duplicate ids, or two resources with the same address or alias
     */
    public static PolicySnapshot build(PolicyContents contents) {
        return new PolicySnapshot(contents);
    }

    /**
     * Decides whether {@code subject}, on {@code device}, may open a flow to
     * {@code destination}:{@code port} over {@code protocol} at {@code now}. Never throws.
     *
     * @param subject the caller, from its verified token
     * @param device the caller's enrolled device, if the request names one
     * @param destination a host name or an IP address, as the caller wrote it
     * @param port 1 to 65535 for TCP and UDP, 0 for ICMP
     * @param protocol the transport protocol
     * @param now the decision time
     */
    public Decision decide(Subject subject, Optional<Device> device, String destination, int port, Protocol protocol, Instant now) {
        return new Authorizer(this).decide(subject, device == null ? Optional.empty() : device, destination, port, protocol, now);
    }

    /** The resources {@code subject} has an active rule for, with conditions; see {@link ReachableResources}. */
    public List<ReachableResource> listMyResources(Subject subject, Optional<Device> device, Instant now) {
        return new ReachableResources(this).list(subject, device == null ? Optional.empty() : device, now);
    }

    /** The most specific resource for a destination, whoever asks; empty for no match or a malformed destination. */
    public Optional<Resource> mostSpecificResource(String destination) {
        try {
            return index.match(Destination.parse(destination));
        } catch (InvalidPolicyException e) {
            return Optional.empty();
        }
    }

    Map<String, Resource> resourcesById() {
        return resourcesById;
    }

    Map<String, Group> groupsById() {
        return groupsById;
    }

    List<AccessRule> rulesInOrder() {
        return rulesInOrder;
    }

    /** The rules that list {@code resource}, in evaluation order. */
    List<AccessRule> rulesFor(Resource resource) {
        return rulesByResourceId.getOrDefault(resource.id(), List.of());
    }

    ResourceIndex index() {
        return index;
    }
}
