package dev.zerogate.policy.service;

import dev.zerogate.policy.Actor;
import dev.zerogate.policy.AuditRecord;
import dev.zerogate.policy.RuleRecord;
import dev.zerogate.policy.config.PolicyConfig;
import dev.zerogate.policy.engine.model.AccessRule;
import dev.zerogate.policy.engine.model.PolicyContents;
import dev.zerogate.policy.engine.model.RuleSubject;
import dev.zerogate.policy.engine.spec.ConditionsSpec;
import dev.zerogate.policy.engine.spec.RuleSpec;
import dev.zerogate.policy.engine.spec.Specs;
import dev.zerogate.policy.service.PolicyChanges.Change;
import dev.zerogate.policy.store.LogKind;
import dev.zerogate.policy.store.PolicyState;
import dev.zerogate.policy.store.PolicyStore;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.zerogate.policy.service.PolicyChanges.found;
import static dev.zerogate.policy.service.PolicyChanges.judged;
import static dev.zerogate.policy.service.PolicyChanges.limit;

/**
 * Access rules, for admins. A rule's creation time orders evaluation and never changes; an update
 * may replace one condition ("conditions.require_mfa") or all of them ("conditions"). A change is
 * validated against the groups and resources the rule names and every other rule.
 */
@ApplicationScoped
public class AccessRuleService {

    static final Set<String> MUTABLE = Set.of("name", "description", "group_id", "service_account_id", "resource_ids", "conditions",
            "disabled");

    /**
     * A rule as an admin sends it.
     *
     * @param etag the etag last read; empty for unconditional
     * @param spec its fields (the id names the rule to update; ignored on create, as is its creation time)
     */
    public record Draft(String etag, RuleSpec spec, String description) {}

    private final PolicyStore store;
    private final PolicyChanges changes;
    private final PolicyConfig config;

    AccessRuleService(PolicyStore store, PolicyChanges changes, PolicyConfig config) {
        this.store = store;
        this.changes = changes;
        this.config = config;
    }

    public Uni<RuleRecord> create(Actor actor, Draft input) {
        String id = Requests.newId();
        Fields fresh = new Fields(new RuleSpec(id, "", Optional.empty(), List.of(), Optional.empty(), false, Instant.EPOCH), "");
        Fields fields = fields(fresh, input, MUTABLE);
        if (fields.spec().subject().isEmpty()) {
            throw PolicyError.invalid("subject", "is required: group_id or service_account_id");
        }
        return changes.apply(actor, (state, now) -> {
            limit(state.rules().size(), config.limits().rules(), "access rules");
            RuleSpec spec = fields.spec();
            RuleSpec candidate = new RuleSpec(id, spec.name(), spec.subject(), spec.resourceIds(), spec.conditions(), spec.disabled(), now);
            validate(state, candidate, now);
            return sequence -> {
                RuleRecord stored = new RuleRecord(candidate, fields.description(), now, sequence);
                return Change.returning(stored)
                        .rows(w -> w.insertRule(stored))
                        .log(LogKind.RULE_UPSERTED, id, state.networksOf(stored), Set.of(), stored)
                        .audit("policy.access_rule.create", target(stored), null, stored);
            };
        });
    }

    public Uni<RuleRecord> get(String id) {
        Requests.id(id, "id");
        return store.catchUp().map(state -> found(state.rules().get(id), "access rule", id).record());
    }

    public Uni<Page<RuleRecord>> list(int pageSize, String pageToken, String groupId, String serviceAccountId, String resourceId) {
        String group = Requests.optionalId(groupId, "group_id");
        String account = Requests.optionalId(serviceAccountId, "service_account_id");
        String resource = Requests.optionalId(resourceId, "resource_id");
        return store.catchUp().map(state -> {
            List<RuleRecord> matching = state.rules().values().stream().map(PolicyState.Stored::record)
                    .filter(r -> group.isEmpty() || r.groupId().equals(group))
                    .filter(r -> account.isEmpty() || r.serviceAccountId().equals(account))
                    .filter(r -> resource.isEmpty() || r.spec().resourceIds().contains(resource))
                    .toList();
            return Paging.page(matching, r -> Paging.nameKey(r.name(), r.id()), pageSize, pageToken,
                    "rules|" + group + "|" + account + "|" + resource);
        });
    }

    public Uni<RuleRecord> update(Actor actor, Draft input, List<String> updateMask) {
        String id = Requests.id(input.spec().id(), "rule.id");
        Set<String> paths = Requests.mask(updateMask, MUTABLE);
        return changes.apply(actor, (state, now) -> {
            RuleRecord before = found(state.rules().get(id), "access rule", id).record();
            Requests.etagMatches(input.etag(), before.etag(), "access rule", id);
            Fields candidate = fields(new Fields(before.spec(), before.description()), input, paths);
            if (candidate.spec().subject().isEmpty()) {
                throw PolicyError.invalid("subject", "is required: group_id or service_account_id");
            }
            validate(state, candidate.spec(), now);
            return sequence -> {
                RuleRecord stored = new RuleRecord(candidate.spec(), candidate.description(), now, sequence);
                return Change.returning(stored)
                        .rows(w -> w.replaceRule(stored))
                        .log(LogKind.RULE_UPSERTED, id, state.networksOf(stored), state.networksOf(before), stored)
                        .audit("policy.access_rule.update", target(stored), before, stored);
            };
        });
    }

    public Uni<Void> delete(Actor actor, String id, String etag) {
        Requests.id(id, "id");
        return changes.<Void>apply(actor, (state, now) -> {
            RuleRecord before = found(state.rules().get(id), "access rule", id).record();
            Requests.etagMatches(etag, before.etag(), "access rule", id);
            return sequence -> Change.<Void>returning(null)
                    .rows(w -> w.deleteRule(id))
                    .log(LogKind.RULE_DELETED, id, Set.of(), state.networksOf(before), before)
                    .audit("policy.access_rule.delete", target(before), before, null);
        });
    }

    private static AuditRecord.Target target(RuleRecord rule) {
        return new AuditRecord.Target("access_rule", rule.id(), rule.name());
    }

    /** A rule's fields while an update is applied to them. */
    private record Fields(RuleSpec spec, String description) {}

    /** {@code current} with the fields named by {@code paths} taken from {@code input}, each checked. */
    private static Fields fields(Fields current, Draft input, Set<String> paths) {
        RuleSpec from = input.spec();
        RuleSpec spec = current.spec();
        String name = paths.contains("name") ? Requests.name(from.name(), "name") : spec.name();
        String description = paths.contains("description") ? Requests.description(input.description()) : current.description();
        Optional<RuleSpec.Subject> subject = spec.subject();
        if (paths.contains("group_id") || paths.contains("service_account_id")) {
            subject = from.subject().map(s -> new RuleSpec.Subject(s.kind(),
                    Requests.id(s.id(), s.kind() == RuleSubject.Kind.GROUP ? "group_id" : "service_account_id")));
        }
        List<String> resourceIds = spec.resourceIds();
        if (paths.contains("resource_ids")) {
            for (int i = 0; i < from.resourceIds().size(); i++) {
                Requests.id(from.resourceIds().get(i), "resource_ids[" + i + "]");
            }
            resourceIds = from.resourceIds();
        }
        Optional<ConditionsSpec> conditions = spec.conditions();
        ConditionsSpec given = from.conditions().orElse(ConditionsSpec.NONE);
        if (paths.contains("conditions")) {
            conditions = Optional.of(given);
        } else {
            // Sub-paths such as "conditions.require_mfa" replace one condition.
            for (String path : paths) {
                if (path.startsWith("conditions.")) {
                    conditions = Optional.of(withCondition(conditions.orElse(ConditionsSpec.NONE), given, path.substring(11)));
                }
            }
        }
        boolean disabled = paths.contains("disabled") ? from.disabled() : spec.disabled();
        return new Fields(new RuleSpec(spec.id(), name, subject, resourceIds, conditions, disabled, spec.createdAt()), description);
    }

    /** {@code current} with the condition named {@code field} as {@code given} has it (unset there clears it). */
    private static ConditionsSpec withCondition(ConditionsSpec current, ConditionsSpec given, String field) {
        return switch (field) {
            case "require_mfa" -> new ConditionsSpec(given.requireMfa(), current.maxAuthAge(), current.device(), current.timeWindows(),
                    current.expiresAt());
            case "max_auth_age" -> new ConditionsSpec(current.requireMfa(), given.maxAuthAge(), current.device(), current.timeWindows(),
                    current.expiresAt());
            case "device" -> new ConditionsSpec(current.requireMfa(), current.maxAuthAge(), given.device(), current.timeWindows(),
                    current.expiresAt());
            case "time_windows" -> new ConditionsSpec(current.requireMfa(), current.maxAuthAge(), current.device(), given.timeWindows(),
                    current.expiresAt());
            case "expires_at" -> new ConditionsSpec(current.requireMfa(), current.maxAuthAge(), current.device(), current.timeWindows(),
                    given.expiresAt());
            default -> throw PolicyError.invalid("update_mask", "'conditions." + Requests.printable(field) + "' is not a condition");
        };
    }

    private static void validate(PolicyState state, RuleSpec candidate, Instant now) {
        AccessRule engine = judged(() -> Specs.rule(candidate));
        PolicyContents current = state.contents();
        List<AccessRule> rules = new ArrayList<>();
        current.rules().stream().filter(r -> !r.id().equals(candidate.id())).forEach(rules::add);
        rules.add(engine);
        PolicyChanges.validate(new PolicyContents(current.resources(), current.groups(), rules), candidate.id(), now);
    }
}
