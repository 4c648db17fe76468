package dev.zerogate.policy.store;

import dev.zerogate.policy.ConnectorRecord;
import dev.zerogate.policy.GroupRecord;
import dev.zerogate.policy.NetworkRecord;
import dev.zerogate.policy.ResourceRecord;
import dev.zerogate.policy.RevocationRecord;
import dev.zerogate.policy.RuleRecord;
import dev.zerogate.policy.engine.InvalidPolicyException;
import dev.zerogate.policy.engine.decision.PolicySnapshot;
import dev.zerogate.policy.engine.model.AccessRule;
import dev.zerogate.policy.engine.model.Group;
import dev.zerogate.policy.engine.model.PolicyContents;
import dev.zerogate.policy.engine.model.Resource;
import dev.zerogate.policy.engine.spec.Specs;
import io.quarkus.logging.Log;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * This replica's copy of the policy at one position of the change log: what a replica decides with,
 * serves admin reads from and streams snapshots of. Immutable; a change makes a new state
 * ({@link #apply}), so readers never see half a change.
 *
 * <p>Every entity is kept as stored (with its etag, which is the log position of its last change)
 * and, for resources, groups and rules, as the engine's value. A stored entity the engine refuses
 * (possible only if a later build judges stricter than the one that wrote it) is kept for admins
 * but left out of decisions: it then grants nothing.
 */
public final class PolicyState {

    /** A stored entity with the engine's value for it, when the engine accepts it. */
    public record Stored<R, E>(R record, Optional<E> engine) {}

    /** A revocation with the log position that recorded it. */
    public record StoredRevocation(RevocationRecord revocation, long changeSequence) {}

    public static final PolicyState EMPTY = new PolicyState(0, Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of());

    private final long sequence;
    private final Map<String, NetworkRecord> networks;
    private final Map<String, ConnectorRecord> connectors;
    private final Map<String, Stored<ResourceRecord, Resource>> resources;
    private final Map<String, Stored<GroupRecord, Group>> groups;
    private final Map<String, Stored<RuleRecord, AccessRule>> rules;
    private final Map<String, StoredRevocation> revocations;
    private volatile PolicySnapshot snapshot;

    private PolicyState(long sequence, Map<String, NetworkRecord> networks, Map<String, ConnectorRecord> connectors,
                        Map<String, Stored<ResourceRecord, Resource>> resources, Map<String, Stored<GroupRecord, Group>> groups,
                        Map<String, Stored<RuleRecord, AccessRule>> rules, Map<String, StoredRevocation> revocations) {
        this.sequence = sequence;
        this.networks = networks;
        this.connectors = connectors;
        this.resources = resources;
        this.groups = groups;
        this.rules = rules;
        this.revocations = revocations;
    }

    /** A state loaded from the entity tables at log position {@code sequence}. */
    static PolicyState loaded(long sequence, Collection<NetworkRecord> networks, Collection<ConnectorRecord> connectors,
                              Collection<ResourceRecord> resources, Collection<GroupRecord> groups, Collection<RuleRecord> rules,
                              Collection<StoredRevocation> revocations) {
        Builder builder = new Builder(EMPTY);
        networks.forEach(builder::putNetwork);
        connectors.forEach(builder::putConnector);
        resources.forEach(builder::putResource);
        groups.forEach(builder::putGroup);
        rules.forEach(builder::putRule);
        revocations.forEach(r -> builder.revocations.put(r.revocation().key(), r));
        return builder.build(sequence);
    }

    /** This state with {@code entries} applied in order; entries at or before {@link #sequence()} are skipped. */
    public PolicyState apply(List<LogEntry> entries) {
        List<LogEntry> fresh = entries.stream().filter(e -> e.sequence() > sequence).toList();
        if (fresh.isEmpty()) {
            return this;
        }
        Builder builder = new Builder(this);
        fresh.forEach(builder::apply);
        return builder.build(fresh.get(fresh.size() - 1).sequence());
    }

    public long sequence() {
        return sequence;
    }

    public Map<String, NetworkRecord> networks() {
        return networks;
    }

    public Map<String, ConnectorRecord> connectors() {
        return connectors;
    }

    public Map<String, Stored<ResourceRecord, Resource>> resources() {
        return resources;
    }

    public Map<String, Stored<GroupRecord, Group>> groups() {
        return groups;
    }

    public Map<String, Stored<RuleRecord, AccessRule>> rules() {
        return rules;
    }

    public Map<String, StoredRevocation> revocations() {
        return revocations;
    }

    /** Whether a revocation covers this subject. */
    public boolean isRevoked(RevocationRecord.Target target, String id) {
        return revocations.containsKey(target.name() + ":" + id);
    }

    /** The remote networks of the resources a rule lists (that still exist). */
    public Set<String> networksOf(RuleRecord rule) {
        Set<String> ids = new HashSet<>();
        for (String resourceId : rule.spec().resourceIds()) {
            var resource = resources.get(resourceId);
            if (resource != null) {
                ids.add(resource.record().networkId());
            }
        }
        return ids;
    }

    /** The engine's view, for decisions; built once per state, on first use. */
    public PolicySnapshot snapshot() {
        PolicySnapshot built = snapshot;
        if (built == null) {
            built = PolicySnapshot.build(contents());
            snapshot = built;
        }
        return built;
    }

    /** The engine's values of every entity it accepts, for validation and decisions. */
    public PolicyContents contents() {
        return new PolicyContents(
                resources.values().stream().flatMap(s -> s.engine().stream()).toList(),
                groups.values().stream().flatMap(s -> s.engine().stream()).toList(),
                rules.values().stream().flatMap(s -> s.engine().stream()).toList());
    }

    /** The log position an etag stands for; 0 when it is not one of ours. */
    public static long sequenceOfEtag(String etag) {
        try {
            return Long.parseLong(etag);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Copies the maps of a state once, takes changes, and freezes them into a new state. */
    private static final class Builder {
        final Map<String, NetworkRecord> networks;
        final Map<String, ConnectorRecord> connectors;
        final Map<String, Stored<ResourceRecord, Resource>> resources;
        final Map<String, Stored<GroupRecord, Group>> groups;
        final Map<String, Stored<RuleRecord, AccessRule>> rules;
        final Map<String, StoredRevocation> revocations;

        Builder(PolicyState from) {
            networks = new HashMap<>(from.networks);
            connectors = new HashMap<>(from.connectors);
            resources = new HashMap<>(from.resources);
            groups = new HashMap<>(from.groups);
            rules = new HashMap<>(from.rules);
            revocations = new HashMap<>(from.revocations);
        }

        void apply(LogEntry entry) {
            switch (entry.kind()) {
                case NETWORK_UPSERTED -> putNetwork((NetworkRecord) entry.payload());
                case NETWORK_DELETED -> networks.remove(entry.entityId());
                case CONNECTOR_UPSERTED -> putConnector((ConnectorRecord) entry.payload());
                case CONNECTOR_DELETED -> connectors.remove(entry.entityId());
                case RESOURCE_UPSERTED -> putResource((ResourceRecord) entry.payload());
                case RESOURCE_DELETED -> resources.remove(entry.entityId());
                case GROUP_UPSERTED -> putGroup((GroupRecord) entry.payload());
                case GROUP_DELETED -> groups.remove(entry.entityId());
                case RULE_UPSERTED -> putRule((RuleRecord) entry.payload());
                case RULE_DELETED -> rules.remove(entry.entityId());
                case REVOCATION -> {
                    RevocationRecord revocation = (RevocationRecord) entry.payload();
                    revocations.put(revocation.key(), new StoredRevocation(revocation, entry.sequence()));
                }
            }
        }

        void putNetwork(NetworkRecord network) {
            networks.put(network.id(), network);
        }

        void putConnector(ConnectorRecord connector) {
            connectors.put(connector.id(), connector);
        }

        void putResource(ResourceRecord resource) {
            resources.put(resource.id(), new Stored<>(resource,
                    engineValue("resource", resource.id(), () -> Specs.resource(resource.spec()))));
        }

        void putGroup(GroupRecord group) {
            groups.put(group.id(), new Stored<>(group, engineValue("group", group.id(), () -> Specs.group(group.spec()))));
        }

        void putRule(RuleRecord rule) {
            rules.put(rule.id(), new Stored<>(rule, engineValue("access rule", rule.id(), () -> Specs.rule(rule.spec()))));
        }

        private static <E> Optional<E> engineValue(String what, String id, Supplier<E> convert) {
            try {
                return Optional.of(convert.get());
            } catch (InvalidPolicyException e) {
                Log.warnf("%s %s is stored but refused by the decision engine, so it grants nothing: %s", what, id, e.getMessage());
                return Optional.empty();
            }
        }

        PolicyState build(long sequence) {
            return new PolicyState(sequence, Map.copyOf(networks), Map.copyOf(connectors), Map.copyOf(resources),
                    Map.copyOf(groups), Map.copyOf(rules), Map.copyOf(revocations));
        }
    }

    @Override
    public String toString() {
        return "PolicyState@" + sequence + " (" + networks.size() + " networks, " + resources.size() + " resources, "
                + groups.size() + " groups, " + rules.size() + " rules, " + revocations.size() + " revocations)";
    }
}
