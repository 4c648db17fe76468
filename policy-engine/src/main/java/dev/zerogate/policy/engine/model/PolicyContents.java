package dev.zerogate.policy.engine.model;

import java.util.List;

/**
 * The whole policy model, as plain lists: what a snapshot is built from and what the validator checks.
 *
 * @param resources every resource, across all remote networks
 * @param groups every group
 * @param rules every access rule
 */
public record PolicyContents(List<Resource> resources, List<Group> groups, List<AccessRule> rules) {

    public PolicyContents {
        resources = List.copyOf(resources);
        groups = List.copyOf(groups);
        rules = List.copyOf(rules);
    }
}
