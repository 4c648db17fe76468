package dev.zerogate.policy.engine.decision;

import dev.zerogate.policy.engine.model.Resource;

import java.util.List;

/**
 * A resource as the caller sees it in ListMyResources.
 *
 * @param resource the resource
 * @param connectName the name to use: the alias if set, else the address as stored
 * @param allowedBy the caller's active rules for it, in evaluation order; at least one
 * @param unmetConditions labels of the conditions that keep every allowing rule from permitting
 *     right now, at most 10; empty when the resource can be reached now (at some port it allows)
 */
public record ReachableResource(
        Resource resource, String connectName, List<AllowingRule> allowedBy, List<String> unmetConditions) {

    /** Most unmet conditions listed, from the proto. */
    public static final int MAX_UNMET_CONDITIONS = 10;

    public ReachableResource {
        allowedBy = List.copyOf(allowedBy);
        unmetConditions = List.copyOf(unmetConditions);
    }

    /** Whether the caller can reach it now. */
    public boolean isReachableNow() {
        return unmetConditions.isEmpty();
    }
}
