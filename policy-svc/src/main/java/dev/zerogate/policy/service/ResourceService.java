package dev.zerogate.policy.service;

import dev.zerogate.policy.Actor;
import dev.zerogate.policy.AuditRecord;
import dev.zerogate.policy.ResourceRecord;
import dev.zerogate.policy.RuleRecord;
import dev.zerogate.policy.config.PolicyConfig;
import dev.zerogate.policy.engine.address.DnsName;
import dev.zerogate.policy.engine.model.PolicyContents;
import dev.zerogate.policy.engine.model.Resource;
import dev.zerogate.policy.engine.spec.ResourceSpec;
import dev.zerogate.policy.engine.spec.Specs;
import dev.zerogate.policy.service.PolicyChanges.Change;
import dev.zerogate.policy.store.LogKind;
import dev.zerogate.policy.store.PolicyState;
import dev.zerogate.policy.store.PolicyStore;
import dev.zerogate.policy.store.PolicyWriter;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static dev.zerogate.policy.service.PolicyChanges.found;
import static dev.zerogate.policy.service.PolicyChanges.judged;
import static dev.zerogate.policy.service.PolicyChanges.limit;
import static dev.zerogate.policy.service.PolicyChanges.referenced;
import static dev.zerogate.policy.service.PolicyChanges.someRules;

/**
 * Resources, for admins. Addresses, aliases and port policies are normalised by the engine before
 * they are stored; a change is validated against every other resource and rule. A resource an
 * access rule lists cannot be deleted.
 */
@ApplicationScoped
public class ResourceService {

    static final Set<String> MUTABLE = Set.of("remote_network_id", "name", "description", "address", "alias", "tcp", "udp",
            "icmp_allowed");

    /**
     * A resource as an admin sends it.
     *
     * @param etag the etag last read; empty for unconditional
     * @param spec its fields (the id names the resource to update; ignored on create)
     */
    public record Draft(String etag, ResourceSpec spec, String description) {}

    private final PolicyStore store;
    private final PolicyChanges changes;
    private final PolicyConfig config;

    ResourceService(PolicyStore store, PolicyChanges changes, PolicyConfig config) {
        this.store = store;
        this.changes = changes;
        this.config = config;
    }

    public Uni<ResourceRecord> create(Actor actor, Draft input) {
        String id = Requests.newId();
        Fields candidate = fields(Fields.of(input, id), input, MUTABLE);
        return changes.apply(actor, (state, now) -> {
            limit(state.resources().size(), config.limits().resources(), "resources");
            referenced(state.networks().get(candidate.spec().networkId()), "remote network", candidate.spec().networkId());
            validate(state, candidate.spec(), now);
            return sequence -> {
                ResourceRecord stored = new ResourceRecord(candidate.spec(), candidate.description(), now, now, sequence);
                return Change.returning(stored)
                        .rows(w -> w.insertResource(stored))
                        .log(LogKind.RESOURCE_UPSERTED, id, Set.of(stored.networkId()), Set.of(), stored)
                        .audit("policy.resource.create", target(stored), null, stored);
            };
        });
    }

    public Uni<ResourceRecord> get(String id) {
        Requests.id(id, "id");
        return store.catchUp().map(state -> found(state.resources().get(id), "resource", id).record());
    }

    public Uni<Page<ResourceRecord>> list(int pageSize, String pageToken, String remoteNetworkId, String query) {
        String networkFilter = Requests.optionalId(remoteNetworkId, "remote_network_id");
        if (query.codePointCount(0, query.length()) > 100) {
            throw PolicyError.invalid("query", "is longer than 100 characters");
        }
        String needle = query.toLowerCase(Locale.ROOT);
        return store.catchUp().map(state -> {
            List<ResourceRecord> matching = state.resources().values().stream().map(PolicyState.Stored::record)
                    .filter(r -> networkFilter.isEmpty() || r.networkId().equals(networkFilter))
                    .filter(r -> needle.isEmpty() || r.name().toLowerCase(Locale.ROOT).contains(needle)
                            || r.spec().address().text().contains(needle) || r.spec().alias().contains(needle))
                    .toList();
            return Paging.page(matching, r -> Paging.nameKey(r.name(), r.id()), pageSize, pageToken,
                    "resources|" + networkFilter + "|" + needle);
        });
    }

    public Uni<ResourceRecord> update(Actor actor, Draft input, List<String> updateMask) {
        String id = Requests.id(input.spec().id(), "resource.id");
        Set<String> paths = Requests.mask(updateMask, MUTABLE);
        return changes.apply(actor, (state, now) -> {
            ResourceRecord before = found(state.resources().get(id), "resource", id).record();
            Requests.etagMatches(input.etag(), before.etag(), "resource", id);
            Fields candidate = fields(new Fields(before.spec(), before.description()), input, paths);
            referenced(state.networks().get(candidate.spec().networkId()), "remote network", candidate.spec().networkId());
            validate(state, candidate.spec(), now);
            boolean moved = !candidate.spec().networkId().equals(before.networkId());
            return sequence -> {
                ResourceRecord stored = new ResourceRecord(candidate.spec(), candidate.description(), before.createdAt(), now, sequence);
                return Change.returning(stored)
                        .rows(w -> w.updateResource(stored))
                        .log(LogKind.RESOURCE_UPSERTED, id, Set.of(stored.networkId()), Set.of(before.networkId()), stored)
                        .then(w -> moved ? relogRulesListing(w, id, before.networkId(), stored.networkId()) : Uni.createFrom().voidItem())
                        .audit("policy.resource.update", target(stored), before, stored);
            };
        });
    }

    public Uni<Void> delete(Actor actor, String id, String etag) {
        Requests.id(id, "id");
        return changes.<Void>apply(actor, (state, now) -> {
            ResourceRecord before = found(state.resources().get(id), "resource", id).record();
            Requests.etagMatches(etag, before.etag(), "resource", id);
            List<String> rules = state.rules().values().stream().map(PolicyState.Stored::record)
                    .filter(r -> r.spec().resourceIds().contains(id)).map(RuleRecord::name).toList();
            if (!rules.isEmpty()) {
                throw PolicyError.precondition("resource '" + before.name() + "' is still listed by access rule(s) " + someRules(rules)
                        + ": remove it from them first");
            }
            return sequence -> Change.<Void>returning(null)
                    .rows(w -> w.deleteResource(id))
                    .log(LogKind.RESOURCE_DELETED, id, Set.of(), Set.of(before.networkId()), before)
                    .audit("policy.resource.delete", target(before), before, null);
        });
    }

    private static AuditRecord.Target target(ResourceRecord resource) {
        return new AuditRecord.Target("resource", resource.id(), resource.name());
    }

    /** A resource's fields while an update is applied to them. */
    private record Fields(ResourceSpec spec, String description) {

        static Fields of(Draft input, String id) {
            ResourceSpec spec = input.spec();
            return new Fields(new ResourceSpec(id, spec.networkId(), spec.name(), spec.address(), spec.alias(), spec.tcp(), spec.udp(),
                    spec.icmpAllowed()), input.description());
        }
    }

    /**
     * {@code current} with the fields named by {@code paths} taken from {@code input}, each checked;
     * the address, alias and ports as the engine normalises them.
     */
    private static Fields fields(Fields current, Draft input, Set<String> paths) {
        ResourceSpec from = input.spec();
        ResourceSpec spec = current.spec();
        String networkId = spec.networkId();
        String name = spec.name();
        String description = current.description();
        if (paths.contains("remote_network_id")) {
            networkId = Requests.id(from.networkId(), "remote_network_id");
        }
        if (paths.contains("name")) {
            name = Requests.name(from.name(), "name");
        }
        if (paths.contains("description")) {
            description = Requests.description(input.description());
        }
        ResourceSpec.Address address = spec.address();
        String alias = spec.alias();
        ResourceSpec.Ports tcp = spec.tcp();
        ResourceSpec.Ports udp = spec.udp();
        if (paths.contains("address")) {
            address = ResourceSpec.Address.of(judged(() -> Specs.address(from.address())));
        }
        if (paths.contains("alias")) {
            alias = judged(() -> Specs.alias(from.alias())).map(DnsName::value).orElse("");
        }
        if (paths.contains("tcp")) {
            tcp = ResourceSpec.Ports.of(judged(() -> Specs.ports(from.tcp(), "tcp")));
        }
        if (paths.contains("udp")) {
            udp = ResourceSpec.Ports.of(judged(() -> Specs.ports(from.udp(), "udp")));
        }
        boolean icmp = paths.contains("icmp_allowed") ? from.icmpAllowed() : spec.icmpAllowed();
        return new Fields(new ResourceSpec(spec.id(), networkId, name, address, alias, tcp, udp, icmp), description);
    }

    private static void validate(PolicyState state, ResourceSpec candidate, Instant now) {
        Resource engine = judged(() -> Specs.resource(candidate));
        PolicyContents current = state.contents();
        List<Resource> resources = new ArrayList<>();
        current.resources().stream().filter(r -> !r.id().equals(candidate.id())).forEach(resources::add);
        resources.add(engine);
        PolicyChanges.validate(new PolicyContents(resources, current.groups(), current.rules()), candidate.id(), now);
    }

    /** Rules listing a resource that moved networks change scope: streams must hear of them again. */
    private static Uni<Void> relogRulesListing(PolicyWriter w, String resourceId, String oldNetwork, String newNetwork) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        PolicyState state = w.state();
        for (var stored : state.rules().values()) {
            RuleRecord rule = stored.record();
            if (!rule.spec().resourceIds().contains(resourceId)) {
                continue;
            }
            Set<String> before = state.networksOf(rule);
            Set<String> after = new HashSet<>(before);
            after.add(newNetwork);
            boolean oldStillListed = rule.spec().resourceIds().stream().anyMatch(other -> !other.equals(resourceId)
                    && state.resources().containsKey(other)
                    && state.resources().get(other).record().networkId().equals(oldNetwork));
            if (!oldStillListed) {
                after.remove(oldNetwork);
            }
            chain = chain.chain(() -> w.nextSequence().chain(seq -> w.log(seq, LogKind.RULE_UPSERTED, rule.id(), after, before, rule)));
        }
        return chain;
    }
}
