package dev.zerogate.policy.service;

import dev.zerogate.policy.Actor;
import dev.zerogate.policy.AuditRecord;
import dev.zerogate.policy.ConnectorLiveness;
import dev.zerogate.policy.ConnectorRecord;
import dev.zerogate.policy.NetworkRecord;
import dev.zerogate.policy.config.PolicyConfig;
import dev.zerogate.policy.service.PolicyChanges.Change;
import dev.zerogate.policy.store.LogKind;
import dev.zerogate.policy.store.PolicyState;
import dev.zerogate.policy.store.PolicyStore;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.zerogate.policy.service.PolicyChanges.found;
import static dev.zerogate.policy.service.PolicyChanges.limit;

/**
 * Remote networks, for admins: create, read, update and delete, with the counts of what each holds.
 * A network with connectors or resources cannot be deleted.
 */
@ApplicationScoped
public class NetworkService {

    static final Set<String> MUTABLE = Set.of("name", "description");

    /**
     * A network as an admin sends it.
     *
     * @param id the network to update; ignored on create
     * @param etag the etag last read; empty for unconditional
     */
    public record Draft(String id, String etag, String name, String description) {}

    /** A network with what it holds; the online count is from the relays' reports. */
    public record Counted(NetworkRecord network, int connectorCount, int onlineConnectorCount, int resourceCount) {}

    private final PolicyStore store;
    private final PolicyChanges changes;
    private final PolicyConfig config;
    private final ConnectorLiveStates live;

    NetworkService(PolicyStore store, PolicyChanges changes, PolicyConfig config, ConnectorLiveStates live) {
        this.store = store;
        this.changes = changes;
        this.config = config;
        this.live = live;
    }

    public Uni<Counted> create(Actor actor, Draft input) {
        String name = Requests.name(input.name(), "name");
        String description = Requests.description(input.description());
        String id = Requests.newId();
        return changes.apply(actor, (state, now) -> {
            limit(state.networks().size(), config.limits().remoteNetworks(), "remote networks");
            nameFree(state, name, id);
            return sequence -> {
                NetworkRecord stored = new NetworkRecord(id, name, description, now, now, sequence);
                return Change.returning(counted(stored, state, Map.of()))
                        .rows(w -> w.insertNetwork(stored))
                        .log(LogKind.NETWORK_UPSERTED, id, Set.of(id), Set.of(), stored)
                        .audit("policy.remote_network.create", target(stored), null, stored);
            };
        });
    }

    public Uni<Counted> get(String id) {
        Requests.id(id, "id");
        return store.catchUp().chain(state -> {
            NetworkRecord network = found(state.networks().get(id), "remote network", id);
            return liveIn(state, Set.of(id)).map(liveStates -> counted(network, state, liveStates));
        });
    }

    public Uni<Page<Counted>> list(int pageSize, String pageToken) {
        return store.catchUp().chain(state -> {
            Page<NetworkRecord> page = Paging.page(List.copyOf(state.networks().values()), n -> Paging.nameKey(n.name(), n.id()),
                    pageSize, pageToken, "networks");
            Set<String> ids = page.items().stream().map(NetworkRecord::id).collect(Collectors.toSet());
            return liveIn(state, ids).map(liveStates -> new Page<>(page.items().stream()
                    .map(n -> counted(n, state, liveStates)).toList(), page.nextPageToken()));
        });
    }

    public Uni<Counted> update(Actor actor, Draft input, List<String> updateMask) {
        String id = Requests.id(input.id(), "remote_network.id");
        Set<String> paths = Requests.mask(updateMask, MUTABLE);
        String name = paths.contains("name") ? Requests.name(input.name(), "name") : null;
        String description = paths.contains("description") ? Requests.description(input.description()) : null;
        return changes.apply(actor, (state, now) -> {
            NetworkRecord before = found(state.networks().get(id), "remote network", id);
            Requests.etagMatches(input.etag(), before.etag(), "remote network", id);
            if (name != null) {
                nameFree(state, name, id);
            }
            return sequence -> {
                NetworkRecord stored = new NetworkRecord(id, name != null ? name : before.name(),
                        description != null ? description : before.description(), before.createdAt(), now, sequence);
                return Change.returning(counted(stored, state, Map.of()))
                        .rows(w -> w.updateNetwork(stored))
                        .log(LogKind.NETWORK_UPSERTED, id, Set.of(id), Set.of(id), stored)
                        .audit("policy.remote_network.update", target(stored), before, stored);
            };
        });
    }

    public Uni<Void> delete(Actor actor, String id, String etag) {
        Requests.id(id, "id");
        return changes.<Void>apply(actor, (state, now) -> {
            NetworkRecord before = found(state.networks().get(id), "remote network", id);
            Requests.etagMatches(etag, before.etag(), "remote network", id);
            long connectors = state.connectors().values().stream().filter(c -> c.networkId().equals(id)).count();
            long resources = state.resources().values().stream().filter(r -> r.record().networkId().equals(id)).count();
            if (connectors > 0 || resources > 0) {
                throw PolicyError.precondition("remote network '" + before.name() + "' still has " + connectors + " connector(s) and "
                        + resources + " resource(s): delete them first");
            }
            return sequence -> Change.<Void>returning(null)
                    .rows(w -> w.deleteNetwork(id))
                    .log(LogKind.NETWORK_DELETED, id, Set.of(), Set.of(id), before)
                    .audit("policy.remote_network.delete", target(before), before, null);
        });
    }

    private static AuditRecord.Target target(NetworkRecord network) {
        return new AuditRecord.Target("remote_network", network.id(), network.name());
    }

    /** The live state of every connector in {@code networkIds}. */
    private Uni<Map<String, ConnectorLiveness>> liveIn(PolicyState state, Set<String> networkIds) {
        return live.of(state.connectors().values().stream().filter(c -> networkIds.contains(c.networkId()))
                .map(ConnectorRecord::id).toList());
    }

    private static void nameFree(PolicyState state, String name, String id) {
        for (NetworkRecord other : state.networks().values()) {
            if (!other.id().equals(id) && other.name().equalsIgnoreCase(name)) {
                throw new PolicyError(PolicyError.Kind.ALREADY_EXISTS, "name", "name: a remote network named '" + other.name()
                        + "' already exists (" + other.id() + "): names are unique, ignoring case");
            }
        }
    }

    private static Counted counted(NetworkRecord network, PolicyState state, Map<String, ConnectorLiveness> liveStates) {
        int connectors = 0;
        int online = 0;
        for (ConnectorRecord connector : state.connectors().values()) {
            if (connector.networkId().equals(network.id())) {
                connectors++;
                online += liveStates.getOrDefault(connector.id(), ConnectorLiveness.NEVER_SEEN).online() ? 1 : 0;
            }
        }
        int resources = (int) state.resources().values().stream().filter(r -> r.record().networkId().equals(network.id())).count();
        return new Counted(network, connectors, online, resources);
    }
}
