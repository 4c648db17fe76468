package dev.zerogate.policy.engine.spec;

import dev.zerogate.policy.engine.model.RuleSubject;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An access rule as written.
 *
 * @param id rule id
 * @param name display name, untrimmed
 * @param subject who it is for; empty when neither a group nor a service account was given
 * @param resourceIds the resources it lists, in the order written
 * @param conditions its conditions; empty when none were given (none beyond a valid token)
 * @param disabled whether it is kept but grants nothing
 * @param createdAt when it was created: its place in evaluation order
 */
public record RuleSpec(String id, String name, Optional<Subject> subject, List<String> resourceIds,
                       Optional<ConditionsSpec> conditions, boolean disabled, Instant createdAt) {

    public RuleSpec {
        id = id == null ? "" : id;
        name = name == null ? "" : name;
        subject = subject == null ? Optional.empty() : subject;
        resourceIds = resourceIds == null ? List.of() : List.copyOf(resourceIds);
        conditions = conditions == null ? Optional.empty() : conditions;
        createdAt = createdAt == null ? Instant.EPOCH : createdAt;
    }

    /**
     * A rule's subject as written.
     *
     * @param kind a group or a service account
     * @param id the group id or the service-account id
     */
    public record Subject(RuleSubject.Kind kind, String id) {

        public Subject {
            id = id == null ? "" : id;
        }
    }
}
