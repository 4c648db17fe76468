package dev.zerogate.policy.store;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.zerogate.policy.engine.InvalidPolicyException;
import dev.zerogate.policy.engine.PolicyContents;
import dev.zerogate.policy.engine.PolicySnapshot;
import dev.zerogate.policy.engine.proto.EngineMapping;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.Connector;
import dev.zerogate.proto.policy.v1.Group;
import dev.zerogate.proto.policy.v1.RemoteNetwork;
import dev.zerogate.proto.policy.v1.Resource;
import dev.zerogate.proto.policy.v1.Revocation;
import io.quarkus.logging.Log;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The whole policy model at one position of the change log: what a replica decides with,
 * serves admin reads from and streams snapshots of. Immutable; a change makes a new state
 * ({@link #apply}), so readers never see half a change.
 *
 * <p>Every entity is kept as the API returns it (proto, with its etag, which is the log
 * position of its last change) and, for resources, groups and rules, as the engine's value.
 * A stored entity the engine refuses (possible only if a later build judges stricter than the
 * one that wrote it) is kept for admins but left out of decisions: it then grants nothing.
 */
public final class PolicyState {

    /** A stored entity with the engine's value for it, when the engine accepts it. */
    public record Stored<P, E>(P proto, long changeSequence, Optional<E> engine) {}

    /** A revocation with the log position that recorded it. */
    public record StoredRevocation(Revocation proto, long changeSequence) {}

    public static final PolicyState EMPTY = new PolicyState(0, Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of());

    private final long sequence;
    private final Map<String, RemoteNetwork> networks;
    private final Map<String, Connector> connectors;
    private final Map<String, Stored<Resource, dev.zerogate.policy.engine.Resource>> resources;
    private final Map<String, Stored<Group, dev.zerogate.policy.engine.Group>> groups;
    private final Map<String, Stored<AccessRule, dev.zerogate.policy.engine.AccessRule>> rules;
    private final Map<String, StoredRevocation> revocations;
    private volatile PolicySnapshot snapshot;

    private PolicyState(long sequence, Map<String, RemoteNetwork> networks, Map<String, Connector> connectors,
                        Map<String, Stored<Resource, dev.zerogate.policy.engine.Resource>> resources,
                        Map<String, Stored<Group, dev.zerogate.policy.engine.Group>> groups,
                        Map<String, Stored<AccessRule, dev.zerogate.policy.engine.AccessRule>> rules,
                        Map<String, StoredRevocation> revocations) {
        this.sequence = sequence;
        this.networks = networks;
        this.connectors = connectors;
        this.resources = resources;
        this.groups = groups;
        this.rules = rules;
        this.revocations = revocations;
    }

    /** A state loaded from the entity tables at log position {@code sequence}. */
    static PolicyState loaded(long sequence, Collection<RemoteNetwork> networks, Collection<Connector> connectors,
                              Collection<Resource> resources, Collection<Group> groups, Collection<AccessRule> rules,
                              Collection<StoredRevocation> revocations) {
        Builder builder = new Builder(EMPTY);
        networks.forEach(builder::putNetwork);
        connectors.forEach(builder::putConnector);
        resources.forEach(builder::putResource);
        groups.forEach(builder::putGroup);
        rules.forEach(builder::putRule);
        revocations.forEach(r -> builder.revocations.put(revocationKey(r.proto()), r));
        return builder.build(sequence);
    }

    /** This state with {@code entries} applied in order; entries at or before {@link #sequence()} are skipped. */
    public PolicyState apply(List<LogEntry> entries) {
        List<LogEntry> fresh = entries.stream().filter(e -> e.sequence() > sequence).toList();
        if (fresh.isEmpty()) {
            return this;
        }
        Builder builder = new Builder(this);
        for (LogEntry entry : fresh) {
            try {
                builder.apply(entry);
            } catch (InvalidProtocolBufferException e) {
                // Written by this service's own code; unreadable means a bug, not bad input.
                throw new IllegalStateException("policy_log entry " + entry.sequence() + " does not parse as " + entry.kind(), e);
            }
        }
        return builder.build(fresh.get(fresh.size() - 1).sequence());
    }

    public long sequence() {
        return sequence;
    }

    public Map<String, RemoteNetwork> networks() {
        return networks;
    }

    public Map<String, Connector> connectors() {
        return connectors;
    }

    public Map<String, Stored<Resource, dev.zerogate.policy.engine.Resource>> resources() {
        return resources;
    }

    public Map<String, Stored<Group, dev.zerogate.policy.engine.Group>> groups() {
        return groups;
    }

    public Map<String, Stored<AccessRule, dev.zerogate.policy.engine.AccessRule>> rules() {
        return rules;
    }

    public Map<String, StoredRevocation> revocations() {
        return revocations;
    }

    /** Whether a revocation covers this subject ("USER", "DEVICE", ... and the id). */
    public boolean isRevoked(String subjectKind, String id) {
        return revocations.containsKey(subjectKind + ":" + id);
    }

    /** The remote networks of the resources a rule lists (that still exist). */
    public Set<String> networksOf(AccessRule rule) {
        Set<String> ids = new HashSet<>();
        for (String resourceId : rule.getResourceIdsList()) {
            var resource = resources.get(resourceId);
            if (resource != null) {
                ids.add(resource.proto().getRemoteNetworkId());
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

    static String revocationKey(Revocation revocation) {
        return switch (revocation.getSubjectCase()) {
            case USER_ID -> "USER:" + revocation.getUserId();
            case DEVICE_ID -> "DEVICE:" + revocation.getDeviceId();
            case CONNECTOR_ID -> "CONNECTOR:" + revocation.getConnectorId();
            case SERVICE_ACCOUNT_ID -> "SERVICE_ACCOUNT:" + revocation.getServiceAccountId();
            case SESSION_ID -> "SESSION:" + revocation.getSessionId();
            case SUBJECT_NOT_SET -> "NONE:";
        };
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
        final Map<String, RemoteNetwork> networks;
        final Map<String, Connector> connectors;
        final Map<String, Stored<Resource, dev.zerogate.policy.engine.Resource>> resources;
        final Map<String, Stored<Group, dev.zerogate.policy.engine.Group>> groups;
        final Map<String, Stored<AccessRule, dev.zerogate.policy.engine.AccessRule>> rules;
        final Map<String, StoredRevocation> revocations;

        Builder(PolicyState from) {
            networks = new HashMap<>(from.networks);
            connectors = new HashMap<>(from.connectors);
            resources = new HashMap<>(from.resources);
            groups = new HashMap<>(from.groups);
            rules = new HashMap<>(from.rules);
            revocations = new HashMap<>(from.revocations);
        }

        void apply(LogEntry entry) throws InvalidProtocolBufferException {
            switch (entry.kind()) {
                case NETWORK_UPSERTED -> putNetwork(RemoteNetwork.parseFrom(entry.payload()));
                case NETWORK_DELETED -> networks.remove(entry.entityId());
                case CONNECTOR_UPSERTED -> putConnector(Connector.parseFrom(entry.payload()));
                case CONNECTOR_DELETED -> connectors.remove(entry.entityId());
                case RESOURCE_UPSERTED -> putResource(Resource.parseFrom(entry.payload()));
                case RESOURCE_DELETED -> resources.remove(entry.entityId());
                case GROUP_UPSERTED -> putGroup(Group.parseFrom(entry.payload()));
                case GROUP_DELETED -> groups.remove(entry.entityId());
                case RULE_UPSERTED -> putRule(AccessRule.parseFrom(entry.payload()));
                case RULE_DELETED -> rules.remove(entry.entityId());
                case REVOCATION -> {
                    Revocation revocation = Revocation.parseFrom(entry.payload());
                    revocations.put(revocationKey(revocation), new StoredRevocation(revocation, entry.sequence()));
                }
            }
        }

        void putNetwork(RemoteNetwork network) {
            networks.put(network.getId(), network);
        }

        void putConnector(Connector connector) {
            connectors.put(connector.getId(), connector);
        }

        void putResource(Resource resource) {
            resources.put(resource.getId(), new Stored<>(resource, sequenceOfEtag(resource.getEtag()),
                    engineValue("resource", resource.getId(), () -> EngineMapping.resource(resource))));
        }

        void putGroup(Group group) {
            groups.put(group.getId(), new Stored<>(group, sequenceOfEtag(group.getEtag()),
                    engineValue("group", group.getId(), () -> EngineMapping.group(group))));
        }

        void putRule(AccessRule rule) {
            rules.put(rule.getId(), new Stored<>(rule, sequenceOfEtag(rule.getEtag()),
                    engineValue("access rule", rule.getId(), () -> EngineMapping.rule(rule))));
        }

        private static <E> Optional<E> engineValue(String what, String id, java.util.function.Supplier<E> convert) {
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
