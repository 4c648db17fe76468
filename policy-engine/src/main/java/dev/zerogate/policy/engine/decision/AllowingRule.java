package dev.zerogate.policy.engine.decision;

import java.util.List;
import java.util.Optional;

/**
 * A rule that gives the caller a resource, how the caller is its subject, and its conditions.
 *
 * @param ruleId the rule id
 * @param ruleName the rule name
 * @param viaGroupId the group through which the caller is the subject; empty for a service-account rule
 * @param viaGroupName that group's name
 * @param conditions short labels of every condition the rule sets ("requires MFA", "only Mon-Fri ...")
 */
public record AllowingRule(
        String ruleId, String ruleName, Optional<String> viaGroupId, Optional<String> viaGroupName, List<String> conditions) {

    public AllowingRule {
        conditions = List.copyOf(conditions);
    }
}
