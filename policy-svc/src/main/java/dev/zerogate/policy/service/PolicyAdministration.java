package dev.zerogate.policy.service;

import com.google.protobuf.FieldMask;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import dev.zerogate.policy.config.PolicyConfig;
import dev.zerogate.policy.engine.InvalidPolicyException;
import dev.zerogate.policy.engine.PolicyContents;
import dev.zerogate.policy.engine.PolicyProblem;
import dev.zerogate.policy.engine.PolicyValidator;
import dev.zerogate.policy.engine.proto.EngineMapping;
import dev.zerogate.policy.store.LogKind;
import dev.zerogate.policy.store.PolicyState;
import dev.zerogate.policy.store.PolicyStore;
import dev.zerogate.policy.store.PolicyStore.Writer;
import dev.zerogate.policy.store.Revocations;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.AuditOutcome;
import dev.zerogate.proto.policy.v1.Connector;
import dev.zerogate.proto.policy.v1.ConnectorLiveState;
import dev.zerogate.proto.policy.v1.Group;
import dev.zerogate.proto.policy.v1.GroupMember;
import dev.zerogate.proto.policy.v1.GroupSource;
import dev.zerogate.proto.policy.v1.RemoteNetwork;
import dev.zerogate.proto.policy.v1.Resource;
import dev.zerogate.proto.policy.v1.Revocation;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Create, read, update and delete of remote networks, connectors, resources, groups and access
 * rules, for admins. Every change is validated against the whole policy as committed (under the
 * store's write lock), written with its policy_log entry and its audit event in one
 * transaction, and so reaches every replica's decisions and streams.
 *
 * <p>Reads are served from this replica's copy after it has caught up with the log, so an admin
 * reads their own writes whichever replica they reach.
 */
@ApplicationScoped
public class PolicyAdministration {

    static final Set<String> NETWORK_MUTABLE = Set.of("name", "description");
    static final Set<String> CONNECTOR_MUTABLE = Set.of("name", "description");
    static final Set<String> RESOURCE_MUTABLE = Set.of("remote_network_id", "name", "description", "address", "alias", "tcp", "udp",
            "icmp_allowed");
    static final Set<String> GROUP_MUTABLE = Set.of("name", "description", "idp_group_name", "members");
    static final Set<String> RULE_MUTABLE = Set.of("name", "description", "group_id", "service_account_id", "resource_ids", "conditions",
            "disabled");
    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();

    private final PolicyStore store;
    private final AuditLog audit;
    private final PolicyConfig config;
    private final ConnectorLiveStates live;

    PolicyAdministration(PolicyStore store, AuditLog audit, PolicyConfig config, ConnectorLiveStates live) {
        this.store = store;
        this.audit = audit;
        this.config = config;
        this.live = live;
    }

    // ---------------------------------------------------------------- remote networks

    public Uni<RemoteNetwork> createNetwork(Actor actor, RemoteNetwork input) {
        String name = Requests.name(input.getName(), "name");
        String description = Requests.description(input.getDescription());
        String id = Requests.newId();
        return store.write(w -> {
            PolicyState state = w.state();
            limit(state.networks().size(), config.limits().remoteNetworks(), "remote networks");
            networkNameFree(state, name, id);
            return w.nextSequence().chain(seq -> {
                RemoteNetwork stored = RemoteNetwork.newBuilder().setId(id).setName(name).setDescription(description)
                        .setCreatedAt(EngineMapping.timestamp(w.now())).setUpdatedAt(EngineMapping.timestamp(w.now()))
                        .setEtag(Long.toString(seq)).build();
                return w.execute("INSERT INTO remote_networks (id, name, description, created_at, updated_at, change_sequence) "
                                + "VALUES ($1, $2, $3, $4, $4, $5)", UUID.fromString(id), name, description, w.nowUtc(), seq)
                        .chain(() -> w.log(seq, LogKind.NETWORK_UPSERTED, id, Set.of(id), Set.of(), stored))
                        .chain(() -> audited(w, actor, "policy.remote_network.create", "remote_network", id, name, null, stored))
                        .map(ignored -> withCounts(stored, state, Map.of()));
            });
        });
    }

    public Uni<RemoteNetwork> getNetwork(String id) {
        Requests.id(id, "id");
        return store.catchUp().chain(state -> {
            RemoteNetwork network = found(state.networks().get(id), "remote network", id);
            return liveIn(state, Set.of(id)).map(liveStates -> withCounts(network, state, liveStates));
        });
    }

    public Uni<Page<RemoteNetwork>> listNetworks(int pageSize, String pageToken) {
        return store.catchUp().chain(state -> {
            Page<RemoteNetwork> page = Paging.page(List.copyOf(state.networks().values()), n -> Paging.nameKey(n.getName(), n.getId()),
                    pageSize, pageToken, "networks");
            Set<String> ids = page.items().stream().map(RemoteNetwork::getId).collect(java.util.stream.Collectors.toSet());
            return liveIn(state, ids).map(liveStates -> new Page<>(page.items().stream()
                    .map(n -> withCounts(n, state, liveStates)).toList(), page.nextPageToken()));
        });
    }

    /** The live state of every connector in {@code networkIds}. */
    private Uni<Map<String, ConnectorLiveState>> liveIn(PolicyState state, Set<String> networkIds) {
        return live.of(state.connectors().values().stream().filter(c -> networkIds.contains(c.getRemoteNetworkId()))
                .map(Connector::getId).toList());
    }

    private static Connector withLive(Connector connector, Map<String, ConnectorLiveState> liveStates) {
        return connector.toBuilder().setLive(liveStates.getOrDefault(connector.getId(), ConnectorLiveState.getDefaultInstance())).build();
    }

    public Uni<RemoteNetwork> updateNetwork(Actor actor, RemoteNetwork input, FieldMask mask) {
        String id = Requests.id(input.getId(), "remote_network.id");
        Set<String> paths = Requests.mask(mask, NETWORK_MUTABLE);
        String name = paths.contains("name") ? Requests.name(input.getName(), "name") : null;
        String description = paths.contains("description") ? Requests.description(input.getDescription()) : null;
        return store.write(w -> {
            PolicyState state = w.state();
            RemoteNetwork before = found(state.networks().get(id), "remote network", id);
            Requests.etagMatches(input.getEtag(), before.getEtag(), "remote network", id);
            RemoteNetwork.Builder after = before.toBuilder();
            if (name != null) {
                networkNameFree(state, name, id);
                after.setName(name);
            }
            if (description != null) {
                after.setDescription(description);
            }
            return w.nextSequence().chain(seq -> {
                RemoteNetwork stored = after.setUpdatedAt(EngineMapping.timestamp(w.now())).setEtag(Long.toString(seq)).build();
                return w.execute("UPDATE remote_networks SET name = $2, description = $3, updated_at = $4, change_sequence = $5 "
                                + "WHERE id = $1", UUID.fromString(id), stored.getName(), stored.getDescription(), w.nowUtc(), seq)
                        .chain(() -> w.log(seq, LogKind.NETWORK_UPSERTED, id, Set.of(id), Set.of(id), stored))
                        .chain(() -> audited(w, actor, "policy.remote_network.update", "remote_network", id, stored.getName(), before,
                                stored))
                        .map(ignored -> withCounts(stored, state, Map.of()));
            });
        });
    }

    public Uni<Void> deleteNetwork(Actor actor, String id, String etag) {
        Requests.id(id, "id");
        return store.write(w -> {
            PolicyState state = w.state();
            RemoteNetwork before = found(state.networks().get(id), "remote network", id);
            Requests.etagMatches(etag, before.getEtag(), "remote network", id);
            long connectors = state.connectors().values().stream().filter(c -> c.getRemoteNetworkId().equals(id)).count();
            long resources = state.resources().values().stream().filter(r -> r.proto().getRemoteNetworkId().equals(id)).count();
            if (connectors > 0 || resources > 0) {
                throw PolicyError.precondition("remote network '" + before.getName() + "' still has " + connectors + " connector(s) and "
                        + resources + " resource(s): delete them first");
            }
            return w.nextSequence().chain(seq -> w.execute("DELETE FROM remote_networks WHERE id = $1", UUID.fromString(id))
                    .chain(() -> w.log(seq, LogKind.NETWORK_DELETED, id, Set.of(), Set.of(id), before))
                    .chain(() -> audited(w, actor, "policy.remote_network.delete", "remote_network", id, before.getName(), before, null)));
        });
    }

    private static void networkNameFree(PolicyState state, String name, String id) {
        for (RemoteNetwork other : state.networks().values()) {
            if (!other.getId().equals(id) && other.getName().equalsIgnoreCase(name)) {
                throw new PolicyError(PolicyError.Kind.ALREADY_EXISTS, "name", "name: a remote network named '" + other.getName()
                        + "' already exists (" + other.getId() + "): names are unique, ignoring case");
            }
        }
    }

    private static RemoteNetwork withCounts(RemoteNetwork network, PolicyState state, Map<String, ConnectorLiveState> liveStates) {
        int connectors = 0;
        int online = 0;
        for (Connector connector : state.connectors().values()) {
            if (connector.getRemoteNetworkId().equals(network.getId())) {
                connectors++;
                online += liveStates.getOrDefault(connector.getId(), ConnectorLiveState.getDefaultInstance()).getOnline() ? 1 : 0;
            }
        }
        int resources = (int) state.resources().values().stream()
                .filter(r -> r.proto().getRemoteNetworkId().equals(network.getId())).count();
        return network.toBuilder().setConnectorCount(connectors).setOnlineConnectorCount(online).setResourceCount(resources).build();
    }

    // ---------------------------------------------------------------- connectors

    public Uni<Connector> createConnector(Actor actor, Connector input) {
        String networkId = Requests.id(input.getRemoteNetworkId(), "remote_network_id");
        String id = Requests.newId();
        String name = input.getName().isBlank() ? "connector-" + id.substring(0, 4) : Requests.name(input.getName(), "name");
        String description = Requests.description(input.getDescription());
        return store.write(w -> {
            PolicyState state = w.state();
            RemoteNetwork network = referenced(state.networks().get(networkId), "remote network", networkId);
            long inNetwork = state.connectors().values().stream().filter(c -> c.getRemoteNetworkId().equals(networkId)).count();
            limit(inNetwork, config.limits().connectorsPerNetwork(), "connectors in remote network '" + network.getName() + "'");
            connectorNameFree(state, networkId, name, id);
            return w.nextSequence().chain(seq -> {
                Connector stored = Connector.newBuilder().setId(id).setRemoteNetworkId(networkId).setName(name)
                        .setDescription(description).setLive(ConnectorLiveState.getDefaultInstance())
                        .setCreatedAt(EngineMapping.timestamp(w.now())).setUpdatedAt(EngineMapping.timestamp(w.now()))
                        .setEtag(Long.toString(seq)).build();
                return w.execute("INSERT INTO connectors (id, remote_network_id, name, body, created_at, updated_at, change_sequence) "
                                + "VALUES ($1, $2, $3, $4, $5, $5, $6)", UUID.fromString(id), UUID.fromString(networkId), name,
                                PolicyStore.body(stored), w.nowUtc(), seq)
                        .chain(() -> w.log(seq, LogKind.CONNECTOR_UPSERTED, id, Set.of(networkId), Set.of(), stored))
                        .chain(() -> audited(w, actor, "policy.connector.create", "connector", id, name, null, stored))
                        .replaceWith(stored);
            });
        });
    }

    public Uni<Connector> getConnector(String id) {
        Requests.id(id, "id");
        return store.catchUp().chain(state -> {
            Connector connector = found(state.connectors().get(id), "connector", id);
            return live.of(List.of(id)).map(liveStates -> withLive(connector, liveStates));
        });
    }

    public Uni<Page<Connector>> listConnectors(int pageSize, String pageToken, String remoteNetworkId) {
        String networkFilter = Requests.optionalId(remoteNetworkId, "remote_network_id");
        return store.catchUp().map(state -> {
            List<Connector> matching = state.connectors().values().stream()
                    .filter(c -> networkFilter.isEmpty() || c.getRemoteNetworkId().equals(networkFilter)).toList();
            Function<Connector, String> key = c -> networkName(state, c.getRemoteNetworkId()) + "\u0001"
                    + Paging.nameKey(c.getName(), c.getId());
            return Paging.page(matching, key, pageSize, pageToken, "connectors|" + networkFilter);
        }).chain(page -> live.of(page.items().stream().map(Connector::getId).toList())
                .map(liveStates -> new Page<>(page.items().stream().map(c -> withLive(c, liveStates)).toList(), page.nextPageToken())));
    }

    public Uni<Connector> updateConnector(Actor actor, Connector input, FieldMask mask) {
        String id = Requests.id(input.getId(), "connector.id");
        Set<String> paths = Requests.mask(mask, CONNECTOR_MUTABLE);
        String name = paths.contains("name") ? Requests.name(input.getName(), "name") : null;
        String description = paths.contains("description") ? Requests.description(input.getDescription()) : null;
        return store.write(w -> {
            Connector before = found(w.state().connectors().get(id), "connector", id);
            Requests.etagMatches(input.getEtag(), before.getEtag(), "connector", id);
            Connector.Builder after = before.toBuilder();
            if (name != null) {
                connectorNameFree(w.state(), before.getRemoteNetworkId(), name, id);
                after.setName(name);
            }
            if (description != null) {
                after.setDescription(description);
            }
            return w.nextSequence().chain(seq -> {
                Connector stored = after.setUpdatedAt(EngineMapping.timestamp(w.now())).setEtag(Long.toString(seq)).build();
                return w.execute("UPDATE connectors SET name = $2, body = $3, updated_at = $4, change_sequence = $5 WHERE id = $1",
                                UUID.fromString(id), stored.getName(), PolicyStore.body(stored), w.nowUtc(), seq)
                        .chain(() -> w.log(seq, LogKind.CONNECTOR_UPSERTED, id, Set.of(stored.getRemoteNetworkId()),
                                Set.of(stored.getRemoteNetworkId()), stored))
                        .chain(() -> audited(w, actor, "policy.connector.update", "connector", id, stored.getName(), before, stored))
                        .replaceWith(stored);
            });
        });
    }

    /** Deletes a connector and publishes its revocation, so relays drop it and its flows end. */
    public Uni<Void> deleteConnector(Actor actor, String id, String etag) {
        Requests.id(id, "id");
        return store.write(w -> {
            Connector before = found(w.state().connectors().get(id), "connector", id);
            Requests.etagMatches(etag, before.getEtag(), "connector", id);
            Revocation revocation = Revocations.proto("CONNECTOR", id, w.now(), "connector '" + before.getName() + "' was deleted");
            return w.nextSequence().chain(seq -> w.execute("DELETE FROM connectors WHERE id = $1", UUID.fromString(id))
                            .chain(() -> w.log(seq, LogKind.CONNECTOR_DELETED, id, Set.of(), Set.of(before.getRemoteNetworkId()), before)))
                    .chain(() -> revoke(w, revocation, null))
                    .chain(() -> audited(w, actor, "policy.connector.delete", "connector", id, before.getName(), before, null));
        });
    }

    /** Records a revocation in the change's transaction: a row, and a log entry for the streams. */
    public Uni<Void> revoke(Writer w, Revocation revocation, Long identitySequence) {
        return w.nextSequence().chain(seq -> w.execute("INSERT INTO revocations (subject_kind, subject_id, revoked_at, reason, "
                                + "identity_sequence, change_sequence) VALUES ($1, $2, $3, $4, $5, $6)",
                        Revocations.subjectKind(revocation), UUID.fromString(Revocations.subjectId(revocation)),
                        java.time.OffsetDateTime.ofInstant(EngineMapping.instant(revocation.getRevokedAt()), java.time.ZoneOffset.UTC),
                        revocation.getReason(), identitySequence, seq)
                .chain(() -> w.log(seq, LogKind.REVOCATION, Revocations.subjectKind(revocation) + ":" + Revocations.subjectId(revocation),
                        Set.of(), Set.of(), revocation)));
    }

    private static void connectorNameFree(PolicyState state, String networkId, String name, String id) {
        for (Connector other : state.connectors().values()) {
            if (!other.getId().equals(id) && other.getRemoteNetworkId().equals(networkId) && other.getName().equalsIgnoreCase(name)) {
                throw new PolicyError(PolicyError.Kind.ALREADY_EXISTS, "name", "name: this remote network already has a connector named '"
                        + other.getName() + "' (" + other.getId() + ")");
            }
        }
    }

    private static String networkName(PolicyState state, String networkId) {
        RemoteNetwork network = state.networks().get(networkId);
        return network == null ? "" : network.getName().toLowerCase(java.util.Locale.ROOT);
    }

    // ---------------------------------------------------------------- resources

    public Uni<Resource> createResource(Actor actor, Resource input) {
        String id = Requests.newId();
        Resource candidate = resourceFields(input.toBuilder().setId(id), input, RESOURCE_MUTABLE);
        return store.write(w -> {
            PolicyState state = w.state();
            limit(state.resources().size(), config.limits().resources(), "resources");
            referenced(state.networks().get(candidate.getRemoteNetworkId()), "remote network", candidate.getRemoteNetworkId());
            validateResource(state, candidate, w);
            return w.nextSequence().chain(seq -> {
                Resource stored = candidate.toBuilder().setCreatedAt(EngineMapping.timestamp(w.now()))
                        .setUpdatedAt(EngineMapping.timestamp(w.now())).setEtag(Long.toString(seq)).build();
                return w.execute("INSERT INTO resources (id, remote_network_id, name, address, alias, body, created_at, updated_at, "
                                + "change_sequence) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)", UUID.fromString(id),
                                UUID.fromString(stored.getRemoteNetworkId()), stored.getName(), addressText(stored), aliasOrNull(stored),
                                PolicyStore.body(stored), w.nowUtc(), seq)
                        .chain(() -> w.log(seq, LogKind.RESOURCE_UPSERTED, id, Set.of(stored.getRemoteNetworkId()), Set.of(), stored))
                        .chain(() -> audited(w, actor, "policy.resource.create", "resource", id, stored.getName(), null, stored))
                        .replaceWith(stored);
            });
        });
    }

    public Uni<Resource> getResource(String id) {
        Requests.id(id, "id");
        return store.catchUp().map(state -> found(state.resources().get(id), "resource", id).proto());
    }

    public Uni<Page<Resource>> listResources(int pageSize, String pageToken, String remoteNetworkId, String query) {
        String networkFilter = Requests.optionalId(remoteNetworkId, "remote_network_id");
        if (query.codePointCount(0, query.length()) > 100) {
            throw PolicyError.invalid("query", "is longer than 100 characters");
        }
        String needle = query.toLowerCase(java.util.Locale.ROOT);
        return store.catchUp().map(state -> {
            List<Resource> matching = state.resources().values().stream().map(PolicyState.Stored::proto)
                    .filter(r -> networkFilter.isEmpty() || r.getRemoteNetworkId().equals(networkFilter))
                    .filter(r -> needle.isEmpty() || r.getName().toLowerCase(java.util.Locale.ROOT).contains(needle)
                            || addressText(r).contains(needle) || r.getAlias().contains(needle))
                    .toList();
            return Paging.page(matching, r -> Paging.nameKey(r.getName(), r.getId()), pageSize, pageToken,
                    "resources|" + networkFilter + "|" + needle);
        });
    }

    public Uni<Resource> updateResource(Actor actor, Resource input, FieldMask mask) {
        String id = Requests.id(input.getId(), "resource.id");
        Set<String> paths = Requests.mask(mask, RESOURCE_MUTABLE);
        return store.write(w -> {
            PolicyState state = w.state();
            Resource before = found(state.resources().get(id), "resource", id).proto();
            Requests.etagMatches(input.getEtag(), before.getEtag(), "resource", id);
            Resource candidate = resourceFields(before.toBuilder(), input, paths);
            referenced(state.networks().get(candidate.getRemoteNetworkId()), "remote network", candidate.getRemoteNetworkId());
            validateResource(state, candidate, w);
            boolean moved = !candidate.getRemoteNetworkId().equals(before.getRemoteNetworkId());
            return w.nextSequence().chain(seq -> {
                Resource stored = candidate.toBuilder().setUpdatedAt(EngineMapping.timestamp(w.now())).setEtag(Long.toString(seq)).build();
                return w.execute("UPDATE resources SET remote_network_id = $2, name = $3, address = $4, alias = $5, body = $6, "
                                + "updated_at = $7, change_sequence = $8 WHERE id = $1", UUID.fromString(id),
                                UUID.fromString(stored.getRemoteNetworkId()), stored.getName(), addressText(stored), aliasOrNull(stored),
                                PolicyStore.body(stored), w.nowUtc(), seq)
                        .chain(() -> w.log(seq, LogKind.RESOURCE_UPSERTED, id, Set.of(stored.getRemoteNetworkId()),
                                Set.of(before.getRemoteNetworkId()), stored))
                        .chain(() -> moved ? relogRulesListing(w, id, before.getRemoteNetworkId(), stored.getRemoteNetworkId())
                                : Uni.createFrom().voidItem())
                        .chain(() -> audited(w, actor, "policy.resource.update", "resource", id, stored.getName(), before, stored))
                        .replaceWith(stored);
            });
        });
    }

    public Uni<Void> deleteResource(Actor actor, String id, String etag) {
        Requests.id(id, "id");
        return store.write(w -> {
            Resource before = found(w.state().resources().get(id), "resource", id).proto();
            Requests.etagMatches(etag, before.getEtag(), "resource", id);
            List<String> rules = w.state().rules().values().stream().map(PolicyState.Stored::proto)
                    .filter(r -> r.getResourceIdsList().contains(id)).map(r -> "'" + r.getName() + "'").sorted().toList();
            if (!rules.isEmpty()) {
                throw PolicyError.precondition("resource '" + before.getName() + "' is still listed by access rule(s) "
                        + String.join(", ", rules.subList(0, Math.min(rules.size(), 5))) + (rules.size() > 5 ? " and others" : "")
                        + ": remove it from them first");
            }
            return w.nextSequence().chain(seq -> w.execute("DELETE FROM resources WHERE id = $1", UUID.fromString(id))
                    .chain(() -> w.log(seq, LogKind.RESOURCE_DELETED, id, Set.of(), Set.of(before.getRemoteNetworkId()), before))
                    .chain(() -> audited(w, actor, "policy.resource.delete", "resource", id, before.getName(), before, null)));
        });
    }

    /** Copies the fields named by {@code paths} from {@code input} onto {@code builder}, checking each. */
    private static Resource resourceFields(Resource.Builder builder, Resource input, Set<String> paths) {
        if (paths.contains("remote_network_id")) {
            builder.setRemoteNetworkId(Requests.id(input.getRemoteNetworkId(), "remote_network_id"));
        }
        if (paths.contains("name")) {
            builder.setName(Requests.name(input.getName(), "name"));
        }
        if (paths.contains("description")) {
            builder.setDescription(Requests.description(input.getDescription()));
        }
        try {
            if (paths.contains("address")) {
                builder.setAddress(EngineMapping.normalised(EngineMapping.address(input.getAddress())));
            }
            if (paths.contains("alias")) {
                builder.setAlias(input.getAlias().isEmpty() ? ""
                        : dev.zerogate.policy.engine.DnsName.parse(input.getAlias(), "alias").value());
            }
            if (paths.contains("tcp")) {
                builder.setTcp(EngineMapping.toProto(EngineMapping.ports(input.getTcp(), "tcp")));
            }
            if (paths.contains("udp")) {
                builder.setUdp(EngineMapping.toProto(EngineMapping.ports(input.getUdp(), "udp")));
            }
        } catch (InvalidPolicyException e) {
            throw PolicyError.invalid(e.field(), e.problem());
        }
        if (paths.contains("icmp_allowed")) {
            builder.setIcmpAllowed(input.getIcmpAllowed());
        }
        return builder.build();
    }

    private static void validateResource(PolicyState state, Resource candidate, Writer w) {
        dev.zerogate.policy.engine.Resource engine;
        try {
            engine = EngineMapping.resource(candidate);
        } catch (InvalidPolicyException e) {
            throw PolicyError.invalid(e.field(), e.problem());
        }
        PolicyContents current = state.contents();
        List<dev.zerogate.policy.engine.Resource> resources = new ArrayList<>();
        current.resources().stream().filter(r -> !r.id().equals(candidate.getId())).forEach(resources::add);
        resources.add(engine);
        firstProblem(PolicyValidator.validateChange(new PolicyContents(resources, current.groups(), current.rules()),
                candidate.getId(), w.now()), candidate.getId());
    }

    /** Rules listing a resource that moved networks change scope: streams must hear of them again. */
    private Uni<Void> relogRulesListing(Writer w, String resourceId, String oldNetwork, String newNetwork) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (var stored : w.state().rules().values()) {
            AccessRule rule = stored.proto();
            if (!rule.getResourceIdsList().contains(resourceId)) {
                continue;
            }
            Set<String> before = w.state().networksOf(rule);
            Set<String> after = new java.util.HashSet<>(before);
            after.add(newNetwork);
            boolean oldStillListed = rule.getResourceIdsList().stream().anyMatch(other -> !other.equals(resourceId)
                    && w.state().resources().containsKey(other)
                    && w.state().resources().get(other).proto().getRemoteNetworkId().equals(oldNetwork));
            if (!oldStillListed) {
                after.remove(oldNetwork);
            }
            chain = chain.chain(() -> w.nextSequence().chain(seq -> w.log(seq, LogKind.RULE_UPSERTED, rule.getId(), after, before, rule)));
        }
        return chain;
    }

    private static String addressText(Resource resource) {
        var address = resource.getAddress();
        return switch (address.getKindCase()) {
            case FQDN -> address.getFqdn();
            case WILDCARD -> address.getWildcard();
            case IP_ADDRESS -> address.getIpAddress();
            case CIDR -> address.getCidr();
            case KIND_NOT_SET -> "";
        };
    }

    private static String aliasOrNull(Resource resource) {
        return resource.getAlias().isEmpty() ? null : resource.getAlias();
    }

    // ---------------------------------------------------------------- groups

    public Uni<Group> createGroup(Actor actor, Group input) {
        String id = Requests.newId();
        if (input.getSource() != GroupSource.GROUP_SOURCE_LOCAL && input.getSource() != GroupSource.GROUP_SOURCE_IDP_SYNC) {
            throw PolicyError.invalid("source", "is required: GROUP_SOURCE_LOCAL or GROUP_SOURCE_IDP_SYNC");
        }
        Group.Builder builder = Group.newBuilder().setId(id).setSource(input.getSource());
        Group candidate = groupFields(builder, input, input.getSource() == GroupSource.GROUP_SOURCE_LOCAL
                ? Set.of("name", "description", "members", "idp_group_name") : Set.of("name", "description", "idp_group_name"));
        if (input.getSource() == GroupSource.GROUP_SOURCE_IDP_SYNC && input.getMembersCount() > 0) {
            throw PolicyError.invalid("members", "of an IDP_SYNC group come from the IdP's groups claim and cannot be listed");
        }
        return store.write(w -> {
            PolicyState state = w.state();
            limit(state.groups().size(), config.limits().groups(), "groups");
            validateGroup(state, candidate, w);
            return w.nextSequence().chain(seq -> {
                Group stored = candidate.toBuilder().setCreatedAt(EngineMapping.timestamp(w.now()))
                        .setUpdatedAt(EngineMapping.timestamp(w.now())).setEtag(Long.toString(seq)).build();
                return w.execute("INSERT INTO groups (id, name, source, idp_group_name, body, created_at, updated_at, change_sequence) "
                                + "VALUES ($1, $2, $3, $4, $5, $6, $6, $7)", UUID.fromString(id), stored.getName(), sourceName(stored),
                                stored.getIdpGroupName().isEmpty() ? null : stored.getIdpGroupName(), PolicyStore.body(stored),
                                w.nowUtc(), seq)
                        .chain(() -> writeMembers(w, stored))
                        .chain(() -> w.log(seq, LogKind.GROUP_UPSERTED, id, Set.of(), Set.of(), stored))
                        .chain(() -> audited(w, actor, "policy.group.create", "group", id, stored.getName(), null, stored))
                        .replaceWith(stored);
            });
        });
    }

    public Uni<Group> getGroup(String id) {
        Requests.id(id, "id");
        return store.catchUp().map(state -> found(state.groups().get(id), "group", id).proto());
    }

    public Uni<Page<Group>> listGroups(int pageSize, String pageToken, GroupSource source, String memberUserId,
                                       String memberServiceAccountId) {
        String user = Requests.optionalId(memberUserId, "member_user_id");
        String account = Requests.optionalId(memberServiceAccountId, "member_service_account_id");
        return store.catchUp().map(state -> {
            Predicate<Group> matches = g -> (source == GroupSource.GROUP_SOURCE_UNSPECIFIED || g.getSource() == source)
                    && (user.isEmpty() || g.getMembersList().stream().anyMatch(m -> m.getUserId().equals(user)))
                    && (account.isEmpty() || g.getMembersList().stream().anyMatch(m -> m.getServiceAccountId().equals(account)));
            List<Group> matching = state.groups().values().stream().map(PolicyState.Stored::proto).filter(matches).toList();
            Page<Group> page = Paging.page(matching, g -> Paging.nameKey(g.getName(), g.getId()), pageSize, pageToken,
                    "groups|" + source + "|" + user + "|" + account);
            return new Page<>(page.items().stream().map(g -> g.toBuilder().clearMembers().build()).toList(), page.nextPageToken());
        });
    }

    public Uni<Group> updateGroup(Actor actor, Group input, FieldMask mask) {
        String id = Requests.id(input.getId(), "group.id");
        Set<String> paths = Requests.mask(mask, GROUP_MUTABLE);
        return store.write(w -> {
            PolicyState state = w.state();
            Group before = found(state.groups().get(id), "group", id).proto();
            Requests.etagMatches(input.getEtag(), before.getEtag(), "group", id);
            boolean local = before.getSource() == GroupSource.GROUP_SOURCE_LOCAL;
            if (!local && paths.contains("members") && !mask.getPathsList().contains("*")) {
                throw PolicyError.precondition("members of IDP_SYNC group '" + before.getName()
                        + "' follow the IdP's groups claim and are read-only here");
            }
            if (local && paths.contains("idp_group_name") && !mask.getPathsList().contains("*")) {
                throw PolicyError.invalid("idp_group_name", "is only for IDP_SYNC groups");
            }
            Set<String> applicable = new java.util.HashSet<>(paths);
            applicable.remove(local ? "idp_group_name" : "members");
            Group candidate = groupFields(before.toBuilder(), input, applicable);
            validateGroup(state, candidate, w);
            return w.nextSequence().chain(seq -> {
                Group stored = candidate.toBuilder().setUpdatedAt(EngineMapping.timestamp(w.now())).setEtag(Long.toString(seq)).build();
                return w.execute("UPDATE groups SET name = $2, idp_group_name = $3, body = $4, updated_at = $5, change_sequence = $6 "
                                + "WHERE id = $1", UUID.fromString(id), stored.getName(),
                                stored.getIdpGroupName().isEmpty() ? null : stored.getIdpGroupName(), PolicyStore.body(stored),
                                w.nowUtc(), seq)
                        .chain(() -> w.execute("DELETE FROM group_members WHERE group_id = $1", UUID.fromString(id)))
                        .chain(() -> writeMembers(w, stored))
                        .chain(() -> w.log(seq, LogKind.GROUP_UPSERTED, id, Set.of(), Set.of(), stored))
                        .chain(() -> audited(w, actor, "policy.group.update", "group", id, stored.getName(), before, stored))
                        .replaceWith(stored);
            });
        });
    }

    public Uni<Void> deleteGroup(Actor actor, String id, String etag) {
        Requests.id(id, "id");
        return store.write(w -> {
            Group before = found(w.state().groups().get(id), "group", id).proto();
            Requests.etagMatches(etag, before.getEtag(), "group", id);
            List<String> rules = w.state().rules().values().stream().map(PolicyState.Stored::proto)
                    .filter(r -> r.getGroupId().equals(id)).map(r -> "'" + r.getName() + "'").sorted().toList();
            if (!rules.isEmpty()) {
                throw PolicyError.precondition("group '" + before.getName() + "' is the subject of access rule(s) "
                        + String.join(", ", rules.subList(0, Math.min(rules.size(), 5))) + (rules.size() > 5 ? " and others" : "")
                        + ": delete them or give them another subject first");
            }
            return w.nextSequence().chain(seq -> w.execute("DELETE FROM groups WHERE id = $1", UUID.fromString(id))
                    .chain(() -> w.log(seq, LogKind.GROUP_DELETED, id, Set.of(), Set.of(), before))
                    .chain(() -> audited(w, actor, "policy.group.delete", "group", id, before.getName(), before, null)));
        });
    }

    private static Group groupFields(Group.Builder builder, Group input, Set<String> paths) {
        if (paths.contains("name")) {
            builder.setName(Requests.name(input.getName(), "name"));
        }
        if (paths.contains("description")) {
            builder.setDescription(Requests.description(input.getDescription()));
        }
        if (paths.contains("idp_group_name")) {
            builder.setIdpGroupName(input.getIdpGroupName());
        }
        if (paths.contains("members")) {
            if (input.getMembersCount() > dev.zerogate.policy.engine.Group.MAX_MEMBERS) {
                throw PolicyError.invalid("members", "has " + input.getMembersCount() + " entries; at most "
                        + dev.zerogate.policy.engine.Group.MAX_MEMBERS);
            }
            Map<String, GroupMember> unique = new LinkedHashMap<>();
            for (int i = 0; i < input.getMembersCount(); i++) {
                GroupMember member = input.getMembers(i);
                String field = "members[" + i + "]";
                switch (member.getMemberCase()) {
                    case USER_ID -> unique.putIfAbsent("u:" + Requests.id(member.getUserId(), field + ".user_id"),
                            GroupMember.newBuilder().setUserId(member.getUserId()).build());
                    case SERVICE_ACCOUNT_ID -> unique.putIfAbsent("s:" + Requests.id(member.getServiceAccountId(),
                            field + ".service_account_id"), GroupMember.newBuilder().setServiceAccountId(member.getServiceAccountId()).build());
                    case MEMBER_NOT_SET -> throw PolicyError.invalid(field, "needs user_id or service_account_id");
                }
            }
            builder.clearMembers().addAllMembers(unique.values());
        }
        builder.setMemberCount(builder.getMembersCount());
        return builder.build();
    }

    private static void validateGroup(PolicyState state, Group candidate, Writer w) {
        dev.zerogate.policy.engine.Group engine;
        try {
            engine = EngineMapping.group(candidate);
        } catch (InvalidPolicyException e) {
            throw PolicyError.invalid(e.field(), e.problem());
        }
        PolicyContents current = state.contents();
        List<dev.zerogate.policy.engine.Group> groups = new ArrayList<>();
        current.groups().stream().filter(g -> !g.id().equals(candidate.getId())).forEach(groups::add);
        groups.add(engine);
        firstProblem(PolicyValidator.validateChange(new PolicyContents(current.resources(), groups, current.rules()),
                candidate.getId(), w.now()), candidate.getId());
    }

    private static Uni<Void> writeMembers(Writer w, Group group) {
        if (group.getMembersCount() == 0) {
            return Uni.createFrom().voidItem();
        }
        List<io.vertx.mutiny.sqlclient.Tuple> rows = new ArrayList<>();
        for (GroupMember member : group.getMembersList()) {
            boolean user = member.getMemberCase() == GroupMember.MemberCase.USER_ID;
            rows.add(io.vertx.mutiny.sqlclient.Tuple.of(UUID.fromString(group.getId()), user ? "USER" : "SERVICE_ACCOUNT",
                    UUID.fromString(user ? member.getUserId() : member.getServiceAccountId())));
        }
        return w.conn().preparedQuery("INSERT INTO group_members (group_id, member_kind, member_id) VALUES ($1, $2, $3)")
                .executeBatch(rows).replaceWithVoid();
    }

    private static String sourceName(Group group) {
        return group.getSource() == GroupSource.GROUP_SOURCE_LOCAL ? "LOCAL" : "IDP_SYNC";
    }

    // ---------------------------------------------------------------- access rules

    public Uni<AccessRule> createRule(Actor actor, AccessRule input) {
        String id = Requests.newId();
        AccessRule.Builder builder = AccessRule.newBuilder().setId(id);
        AccessRule fields = ruleFields(builder, input, RULE_MUTABLE);
        if (fields.getSubjectCase() == AccessRule.SubjectCase.SUBJECT_NOT_SET) {
            throw PolicyError.invalid("subject", "is required: group_id or service_account_id");
        }
        return store.write(w -> {
            PolicyState state = w.state();
            limit(state.rules().size(), config.limits().rules(), "access rules");
            AccessRule candidate = fields.toBuilder().setCreatedAt(EngineMapping.timestamp(w.now())).build();
            validateRule(state, candidate, w);
            return w.nextSequence().chain(seq -> {
                AccessRule stored = candidate.toBuilder().setUpdatedAt(EngineMapping.timestamp(w.now())).setEtag(Long.toString(seq)).build();
                Set<String> networks = w.state().networksOf(stored);
                return insertRule(w, stored, seq)
                        .chain(() -> w.log(seq, LogKind.RULE_UPSERTED, id, networks, Set.of(), stored))
                        .chain(() -> audited(w, actor, "policy.access_rule.create", "access_rule", id, stored.getName(), null, stored))
                        .replaceWith(stored);
            });
        });
    }

    public Uni<AccessRule> getRule(String id) {
        Requests.id(id, "id");
        return store.catchUp().map(state -> found(state.rules().get(id), "access rule", id).proto());
    }

    public Uni<Page<AccessRule>> listRules(int pageSize, String pageToken, String groupId, String serviceAccountId, String resourceId) {
        String group = Requests.optionalId(groupId, "group_id");
        String account = Requests.optionalId(serviceAccountId, "service_account_id");
        String resource = Requests.optionalId(resourceId, "resource_id");
        return store.catchUp().map(state -> {
            List<AccessRule> matching = state.rules().values().stream().map(PolicyState.Stored::proto)
                    .filter(r -> group.isEmpty() || r.getGroupId().equals(group))
                    .filter(r -> account.isEmpty() || r.getServiceAccountId().equals(account))
                    .filter(r -> resource.isEmpty() || r.getResourceIdsList().contains(resource))
                    .toList();
            return Paging.page(matching, r -> Paging.nameKey(r.getName(), r.getId()), pageSize, pageToken,
                    "rules|" + group + "|" + account + "|" + resource);
        });
    }

    public Uni<AccessRule> updateRule(Actor actor, AccessRule input, FieldMask mask) {
        String id = Requests.id(input.getId(), "rule.id");
        Set<String> paths = Requests.mask(mask, RULE_MUTABLE);
        return store.write(w -> {
            PolicyState state = w.state();
            AccessRule before = found(state.rules().get(id), "access rule", id).proto();
            Requests.etagMatches(input.getEtag(), before.getEtag(), "access rule", id);
            AccessRule candidate = ruleFields(before.toBuilder(), input, paths);
            if (candidate.getSubjectCase() == AccessRule.SubjectCase.SUBJECT_NOT_SET) {
                throw PolicyError.invalid("subject", "is required: group_id or service_account_id");
            }
            validateRule(state, candidate, w);
            return w.nextSequence().chain(seq -> {
                AccessRule stored = candidate.toBuilder().setUpdatedAt(EngineMapping.timestamp(w.now())).setEtag(Long.toString(seq)).build();
                return w.execute("DELETE FROM access_rules WHERE id = $1", UUID.fromString(id))
                        .chain(() -> insertRule(w, stored, seq))
                        .chain(() -> w.log(seq, LogKind.RULE_UPSERTED, id, state.networksOf(stored), state.networksOf(before), stored))
                        .chain(() -> audited(w, actor, "policy.access_rule.update", "access_rule", id, stored.getName(), before, stored))
                        .replaceWith(stored);
            });
        });
    }

    public Uni<Void> deleteRule(Actor actor, String id, String etag) {
        Requests.id(id, "id");
        return store.write(w -> {
            AccessRule before = found(w.state().rules().get(id), "access rule", id).proto();
            Requests.etagMatches(etag, before.getEtag(), "access rule", id);
            return w.nextSequence().chain(seq -> w.execute("DELETE FROM access_rules WHERE id = $1", UUID.fromString(id))
                    .chain(() -> w.log(seq, LogKind.RULE_DELETED, id, Set.of(), w.state().networksOf(before), before))
                    .chain(() -> audited(w, actor, "policy.access_rule.delete", "access_rule", id, before.getName(), before, null)));
        });
    }

    private static Uni<Void> insertRule(Writer w, AccessRule rule, long seq) {
        boolean group = rule.getSubjectCase() == AccessRule.SubjectCase.GROUP_ID;
        List<io.vertx.mutiny.sqlclient.Tuple> links = rule.getResourceIdsList().stream()
                .map(resource -> io.vertx.mutiny.sqlclient.Tuple.of(UUID.fromString(rule.getId()), UUID.fromString(resource))).toList();
        return w.execute("INSERT INTO access_rules (id, name, group_id, service_account_id, body, created_at, updated_at, change_sequence) "
                                + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", UUID.fromString(rule.getId()), rule.getName(),
                        group ? UUID.fromString(rule.getGroupId()) : null, group ? null : UUID.fromString(rule.getServiceAccountId()),
                        PolicyStore.body(rule),
                        java.time.OffsetDateTime.ofInstant(EngineMapping.instant(rule.getCreatedAt()), java.time.ZoneOffset.UTC),
                        w.nowUtc(), seq)
                .chain(() -> w.conn().preparedQuery("INSERT INTO access_rule_resources (rule_id, resource_id) VALUES ($1, $2)")
                        .executeBatch(links))
                .replaceWithVoid();
    }

    private static AccessRule ruleFields(AccessRule.Builder builder, AccessRule input, Set<String> paths) {
        if (paths.contains("name")) {
            builder.setName(Requests.name(input.getName(), "name"));
        }
        if (paths.contains("description")) {
            builder.setDescription(Requests.description(input.getDescription()));
        }
        boolean subjectChanged = paths.contains("group_id") || paths.contains("service_account_id");
        if (subjectChanged) {
            switch (input.getSubjectCase()) {
                case GROUP_ID -> builder.setGroupId(Requests.id(input.getGroupId(), "group_id"));
                case SERVICE_ACCOUNT_ID -> builder.setServiceAccountId(Requests.id(input.getServiceAccountId(), "service_account_id"));
                case SUBJECT_NOT_SET -> builder.clearSubject();
            }
        }
        if (paths.contains("resource_ids")) {
            for (int i = 0; i < input.getResourceIdsCount(); i++) {
                Requests.id(input.getResourceIds(i), "resource_ids[" + i + "]");
            }
            builder.clearResourceIds().addAllResourceIds(input.getResourceIdsList());
        }
        if (paths.contains("conditions")) {
            builder.setConditions(input.getConditions());
        } else {
            // Sub-paths such as "conditions.require_mfa" replace one condition.
            for (String path : paths) {
                if (path.startsWith("conditions.")) {
                    builder.setConditions(mergeCondition(builder.getConditions(), input.getConditions(), path.substring(11)));
                }
            }
        }
        if (paths.contains("disabled")) {
            builder.setDisabled(input.getDisabled());
        }
        return builder.build();
    }

    private static dev.zerogate.proto.policy.v1.AccessConditions mergeCondition(dev.zerogate.proto.policy.v1.AccessConditions current,
                                                                                dev.zerogate.proto.policy.v1.AccessConditions input,
                                                                                String field) {
        var descriptor = dev.zerogate.proto.policy.v1.AccessConditions.getDescriptor().findFieldByName(field);
        if (descriptor == null) {
            throw PolicyError.invalid("update_mask", "'conditions." + Requests.printable(field) + "' is not a condition");
        }
        var builder = current.toBuilder();
        if (descriptor.isRepeated() || input.hasField(descriptor)) {
            builder.setField(descriptor, input.getField(descriptor));
        } else {
            builder.clearField(descriptor);
        }
        return builder.build();
    }

    private static void validateRule(PolicyState state, AccessRule candidate, Writer w) {
        dev.zerogate.policy.engine.AccessRule engine;
        try {
            engine = EngineMapping.rule(candidate);
        } catch (InvalidPolicyException e) {
            throw PolicyError.invalid(e.field(), e.problem());
        }
        PolicyContents current = state.contents();
        List<dev.zerogate.policy.engine.AccessRule> rules = new ArrayList<>();
        current.rules().stream().filter(r -> !r.id().equals(candidate.getId())).forEach(rules::add);
        rules.add(engine);
        firstProblem(PolicyValidator.validateChange(new PolicyContents(current.resources(), current.groups(), rules),
                candidate.getId(), w.now()), candidate.getId());
    }

    // ---------------------------------------------------------------- shared

    private static void firstProblem(List<PolicyProblem> problems, String changedId) {
        // Report the problem on the changed entity first: it is the one the admin can fix here.
        problems.stream().filter(p -> p.entityId().equals(changedId)).findFirst()
                .or(() -> problems.stream().findFirst())
                .ifPresent(problem -> {
                    throw PolicyError.of(problem);
                });
    }

    private static void limit(long count, int limit, String what) {
        if (count >= limit) {
            throw new PolicyError(PolicyError.Kind.RESOURCE_EXHAUSTED, "", "this installation allows at most " + limit + " " + what);
        }
    }

    private static <T> T found(T entity, String what, String id) {
        if (entity == null) {
            throw PolicyError.notFound(what, id);
        }
        return entity;
    }

    private static <T> T referenced(T entity, String what, String id) {
        if (entity == null) {
            throw PolicyError.precondition("no " + what + " with id " + id);
        }
        return entity;
    }

    private Uni<Void> audited(Writer w, Actor actor, String action, String targetType, String targetId, String targetName,
                              Message before, Message after) {
        Struct.Builder details = Struct.newBuilder();
        try {
            StringBuilder json = new StringBuilder("{");
            if (before != null) {
                json.append("\"before\":").append(JSON.print(before));
            }
            if (after != null) {
                json.append(before != null ? "," : "").append("\"after\":").append(JSON.print(after));
            }
            JsonFormat.parser().merge(json.append('}').toString(), details);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot render the audit details of " + action, e);
        }
        return audit.append(w.conn(), audit.event(actor, action, AuditOutcome.AUDIT_OUTCOME_SUCCESS)
                .setTarget(AuditLog.target(targetType, targetId, targetName)).setDetails(details).build());
    }
}
