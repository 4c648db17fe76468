package dev.zerogate.policy;

import dev.zerogate.policy.engine.model.RuleSubject;
import dev.zerogate.policy.engine.spec.RuleSpec;

import java.time.Instant;

/**
 * An access rule as stored.
 *
 * @param spec what the engine decides with, including the creation time that orders evaluation
 * @param description free text for admins
 * @param updatedAt when it last changed
 * @param changeSequence the policy_log position of its last change: its etag
 */
public record RuleRecord(RuleSpec spec, String description, Instant updatedAt, long changeSequence) implements PolicyRecord {

    public String id() {
        return spec.id();
    }

    public String name() {
        return spec.name();
    }

    /** The group it is for; empty for a service-account rule. */
    public String groupId() {
        return spec.subject().filter(s -> s.kind() == RuleSubject.Kind.GROUP)
                .map(RuleSpec.Subject::id).orElse("");
    }

    /** The service account it is for; empty for a group rule. */
    public String serviceAccountId() {
        return spec.subject().filter(s -> s.kind() == RuleSubject.Kind.SERVICE_ACCOUNT)
                .map(RuleSpec.Subject::id).orElse("");
    }

    @Override
    public String key() {
        return spec.id();
    }

    public String etag() {
        return Long.toString(changeSequence);
    }
}
