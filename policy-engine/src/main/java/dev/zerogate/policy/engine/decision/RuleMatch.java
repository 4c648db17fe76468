package dev.zerogate.policy.engine.decision;

import dev.zerogate.policy.engine.model.AccessRule;
import dev.zerogate.policy.engine.model.Group;
import dev.zerogate.policy.engine.model.RuleSubject;
import dev.zerogate.policy.engine.model.Subject;
import dev.zerogate.policy.engine.model.SubjectKind;

import java.util.Map;
import java.util.Optional;

/**
 * A rule whose subject is the caller, and how: through a group, or directly as its service account.
 *
 * @param rule the rule
 * @param viaGroup the group that makes the caller its subject; empty for a service-account rule
 */
record RuleMatch(AccessRule rule, Optional<Group> viaGroup) {

    /**
     * Whether the rule is for this caller. A rule naming a group that does not exist is for nobody
     * (fail closed).
     */
    static Optional<RuleMatch> of(AccessRule rule, Subject subject, Map<String, Group> groupsById) {
        RuleSubject ruleSubject = rule.subject();
        if (ruleSubject.kind() == RuleSubject.Kind.SERVICE_ACCOUNT) {
            boolean isThatAccount = subject.kind() == SubjectKind.SERVICE_ACCOUNT && subject.id().equals(ruleSubject.id());
            return isThatAccount ? Optional.of(new RuleMatch(rule, Optional.empty())) : Optional.empty();
        }
        Group group = groupsById.get(ruleSubject.id());
        return group != null && group.includes(subject) ? Optional.of(new RuleMatch(rule, Optional.of(group))) : Optional.empty();
    }
}
