package dev.zerogate.policy.service;

import dev.zerogate.policy.Actor;
import dev.zerogate.policy.AuditRecord;
import dev.zerogate.policy.GroupRecord;
import dev.zerogate.policy.RuleRecord;
import dev.zerogate.policy.config.PolicyConfig;
import dev.zerogate.policy.engine.model.Group;
import dev.zerogate.policy.engine.model.GroupSource;
import dev.zerogate.policy.engine.model.PolicyContents;
import dev.zerogate.policy.engine.spec.GroupSpec;
import dev.zerogate.policy.engine.spec.Specs;
import dev.zerogate.policy.service.PolicyChanges.Change;
import dev.zerogate.policy.store.LogKind;
import dev.zerogate.policy.store.PolicyState;
import dev.zerogate.policy.store.PolicyStore;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import static dev.zerogate.policy.service.PolicyChanges.found;
import static dev.zerogate.policy.service.PolicyChanges.judged;
import static dev.zerogate.policy.service.PolicyChanges.limit;
import static dev.zerogate.policy.service.PolicyChanges.someRules;

/**
 * Groups, for admins. A LOCAL group's members are edited here (duplicates removed); an IDP_SYNC
 * group's come from the IdP's groups claim and are read-only. A group an access rule is for cannot
 * be deleted.
 */
@ApplicationScoped
public class GroupService {

    static final Set<String> MUTABLE = Set.of("name", "description", "idp_group_name", "members");

    /**
     * A group as an admin sends it.
     *
     * @param etag the etag last read; empty for unconditional
     * @param spec its fields (the id names the group to update; ignored on create)
     */
    public record Draft(String etag, GroupSpec spec, String description) {}

    private final PolicyStore store;
    private final PolicyChanges changes;
    private final PolicyConfig config;

    GroupService(PolicyStore store, PolicyChanges changes, PolicyConfig config) {
        this.store = store;
        this.changes = changes;
        this.config = config;
    }

    public Uni<GroupRecord> create(Actor actor, Draft input) {
        String id = Requests.newId();
        GroupSource source = input.spec().source();
        if (source != GroupSource.LOCAL && source != GroupSource.IDP_SYNC) {
            throw PolicyError.invalid("source", "is required: GROUP_SOURCE_LOCAL or GROUP_SOURCE_IDP_SYNC");
        }
        Fields fresh = new Fields(new GroupSpec(id, "", source, "", List.of()), "");
        Fields candidate = fields(fresh, input, source == GroupSource.LOCAL
                ? Set.of("name", "description", "members", "idp_group_name") : Set.of("name", "description", "idp_group_name"));
        if (source == GroupSource.IDP_SYNC && !input.spec().members().isEmpty()) {
            throw PolicyError.invalid("members", "of an IDP_SYNC group come from the IdP's groups claim and cannot be listed");
        }
        return changes.apply(actor, (state, now) -> {
            limit(state.groups().size(), config.limits().groups(), "groups");
            validate(state, candidate.spec(), now);
            return sequence -> {
                GroupRecord stored = new GroupRecord(candidate.spec(), candidate.description(), now, now, sequence);
                return Change.returning(stored)
                        .rows(w -> w.insertGroup(stored))
                        .log(LogKind.GROUP_UPSERTED, id, Set.of(), Set.of(), stored)
                        .audit("policy.group.create", target(stored), null, stored);
            };
        });
    }

    public Uni<GroupRecord> get(String id) {
        Requests.id(id, "id");
        return store.catchUp().map(state -> found(state.groups().get(id), "group", id).record());
    }

    /**
     * One page. The adapters leave members out of listed groups.
     *
     * @param source only groups from this source; empty for any
     */
    public Uni<Page<GroupRecord>> list(int pageSize, String pageToken, Optional<GroupSource> source, String memberUserId,
                                       String memberServiceAccountId) {
        String user = Requests.optionalId(memberUserId, "member_user_id");
        String account = Requests.optionalId(memberServiceAccountId, "member_service_account_id");
        return store.catchUp().map(state -> {
            Predicate<GroupRecord> matches = g -> (source.isEmpty() || g.spec().source() == source.get())
                    && (user.isEmpty() || g.spec().members().contains(GroupSpec.Member.user(user)))
                    && (account.isEmpty() || g.spec().members().contains(GroupSpec.Member.serviceAccount(account)));
            List<GroupRecord> matching = state.groups().values().stream().map(PolicyState.Stored::record).filter(matches).toList();
            return Paging.page(matching, g -> Paging.nameKey(g.name(), g.id()), pageSize, pageToken,
                    "groups|" + sourceFilterName(source) + "|" + user + "|" + account);
        });
    }

    public Uni<GroupRecord> update(Actor actor, Draft input, List<String> updateMask) {
        String id = Requests.id(input.spec().id(), "group.id");
        Set<String> paths = Requests.mask(updateMask, MUTABLE);
        boolean everything = updateMask.contains("*");
        return changes.apply(actor, (state, now) -> {
            GroupRecord before = found(state.groups().get(id), "group", id).record();
            Requests.etagMatches(input.etag(), before.etag(), "group", id);
            boolean local = before.spec().source() == GroupSource.LOCAL;
            if (!local && paths.contains("members") && !everything) {
                throw PolicyError.precondition("members of IDP_SYNC group '" + before.name()
                        + "' follow the IdP's groups claim and are read-only here");
            }
            if (local && paths.contains("idp_group_name") && !everything) {
                throw PolicyError.invalid("idp_group_name", "is only for IDP_SYNC groups");
            }
            Set<String> applicable = new HashSet<>(paths);
            applicable.remove(local ? "idp_group_name" : "members");
            Fields candidate = fields(new Fields(before.spec(), before.description()), input, applicable);
            validate(state, candidate.spec(), now);
            return sequence -> {
                GroupRecord stored = new GroupRecord(candidate.spec(), candidate.description(), before.createdAt(), now, sequence);
                return Change.returning(stored)
                        .rows(w -> w.updateGroup(stored))
                        .log(LogKind.GROUP_UPSERTED, id, Set.of(), Set.of(), stored)
                        .audit("policy.group.update", target(stored), before, stored);
            };
        });
    }

    public Uni<Void> delete(Actor actor, String id, String etag) {
        Requests.id(id, "id");
        return changes.<Void>apply(actor, (state, now) -> {
            GroupRecord before = found(state.groups().get(id), "group", id).record();
            Requests.etagMatches(etag, before.etag(), "group", id);
            List<String> rules = state.rules().values().stream().map(PolicyState.Stored::record)
                    .filter(r -> r.groupId().equals(id)).map(RuleRecord::name).toList();
            if (!rules.isEmpty()) {
                throw PolicyError.precondition("group '" + before.name() + "' is the subject of access rule(s) " + someRules(rules)
                        + ": delete them or give them another subject first");
            }
            return sequence -> Change.<Void>returning(null)
                    .rows(w -> w.deleteGroup(id))
                    .log(LogKind.GROUP_DELETED, id, Set.of(), Set.of(), before)
                    .audit("policy.group.delete", target(before), before, null);
        });
    }

    private static AuditRecord.Target target(GroupRecord group) {
        return new AuditRecord.Target("group", group.id(), group.name());
    }

    /** A group's fields while an update is applied to them. */
    private record Fields(GroupSpec spec, String description) {}

    /** {@code current} with the fields named by {@code paths} taken from {@code input}, each checked. */
    private static Fields fields(Fields current, Draft input, Set<String> paths) {
        GroupSpec from = input.spec();
        GroupSpec spec = current.spec();
        String name = paths.contains("name") ? Requests.name(from.name(), "name") : spec.name();
        String description = paths.contains("description") ? Requests.description(input.description()) : current.description();
        String idpGroupName = paths.contains("idp_group_name") ? from.idpGroupName() : spec.idpGroupName();
        List<GroupSpec.Member> members = spec.members();
        if (paths.contains("members")) {
            if (from.members().size() > Group.MAX_MEMBERS) {
                throw PolicyError.invalid("members", "has " + from.members().size() + " entries; at most " + Group.MAX_MEMBERS);
            }
            Map<GroupSpec.Member, GroupSpec.Member> unique = new LinkedHashMap<>();
            for (int i = 0; i < from.members().size(); i++) {
                GroupSpec.Member member = from.members().get(i);
                String field = "members[" + i + "]";
                switch (member.kind()) {
                    case USER -> Requests.id(member.id(), field + ".user_id");
                    case SERVICE_ACCOUNT -> Requests.id(member.id(), field + ".service_account_id");
                    case UNSPECIFIED -> throw PolicyError.invalid(field, "needs user_id or service_account_id");
                }
                unique.putIfAbsent(member, member);
            }
            members = new ArrayList<>(unique.values());
        }
        return new Fields(new GroupSpec(spec.id(), name, spec.source(), idpGroupName, members), description);
    }

    private static void validate(PolicyState state, GroupSpec candidate, Instant now) {
        Group engine = judged(() -> Specs.group(candidate));
        PolicyContents current = state.contents();
        List<Group> groups = new ArrayList<>();
        current.groups().stream().filter(g -> !g.id().equals(candidate.id())).forEach(groups::add);
        groups.add(engine);
        PolicyChanges.validate(new PolicyContents(current.resources(), groups, current.rules()), candidate.id(), now);
    }

    /** The source filter as the list's page tokens name it. */
    private static String sourceFilterName(Optional<GroupSource> source) {
        return source.map(value -> switch (value) {
            case UNSPECIFIED -> "UNRECOGNIZED";
            case LOCAL -> "GROUP_SOURCE_LOCAL";
            case IDP_SYNC -> "GROUP_SOURCE_IDP_SYNC";
        }).orElse("GROUP_SOURCE_UNSPECIFIED");
    }
}
