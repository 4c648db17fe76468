package dev.zerogate.policy.service;

import dev.zerogate.policy.Actor;
import dev.zerogate.policy.AuditRecord;
import dev.zerogate.policy.ConnectorLiveness;
import dev.zerogate.policy.ConnectorRecord;
import dev.zerogate.policy.NetworkRecord;
import dev.zerogate.policy.RevocationRecord;
import dev.zerogate.policy.config.PolicyConfig;
import dev.zerogate.policy.service.PolicyChanges.Change;
import dev.zerogate.policy.store.LogKind;
import dev.zerogate.policy.store.PolicyState;
import dev.zerogate.policy.store.PolicyStore;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static dev.zerogate.policy.service.PolicyChanges.found;
import static dev.zerogate.policy.service.PolicyChanges.limit;
import static dev.zerogate.policy.service.PolicyChanges.referenced;

/**
 * Connectors' placements in remote networks, for admins, with the live state the relays report.
 * Deleting a connector revokes it, so relays drop it and its flows end.
 */
@ApplicationScoped
public class ConnectorService {

    static final Set<String> MUTABLE = Set.of("name", "description");

    /**
     * A connector as an admin sends it.
     *
     * @param id the connector to update; ignored on create
     * @param etag the etag last read; empty for unconditional
     * @param networkId the remote network, on create
     * @param name display name; generated when empty on create
     */
    public record Draft(String id, String etag, String networkId, String name, String description) {}

    /** A connector with its live state. */
    public record Live(ConnectorRecord connector, ConnectorLiveness live) {}

    private final PolicyStore store;
    private final PolicyChanges changes;
    private final PolicyConfig config;
    private final ConnectorLiveStates live;

    ConnectorService(PolicyStore store, PolicyChanges changes, PolicyConfig config, ConnectorLiveStates live) {
        this.store = store;
        this.changes = changes;
        this.config = config;
        this.live = live;
    }

    public Uni<Live> create(Actor actor, Draft input) {
        String networkId = Requests.id(input.networkId(), "remote_network_id");
        String id = Requests.newId();
        String name = input.name().isBlank() ? "connector-" + id.substring(0, 4) : Requests.name(input.name(), "name");
        String description = Requests.description(input.description());
        return changes.apply(actor, (state, now) -> {
            NetworkRecord network = referenced(state.networks().get(networkId), "remote network", networkId);
            long inNetwork = state.connectors().values().stream().filter(c -> c.networkId().equals(networkId)).count();
            limit(inNetwork, config.limits().connectorsPerNetwork(), "connectors in remote network '" + network.name() + "'");
            nameFree(state, networkId, name, id);
            return sequence -> {
                ConnectorRecord stored = new ConnectorRecord(id, networkId, name, description, now, now, sequence);
                return Change.returning(new Live(stored, ConnectorLiveness.NEVER_SEEN))
                        .rows(w -> w.insertConnector(stored))
                        .log(LogKind.CONNECTOR_UPSERTED, id, Set.of(networkId), Set.of(), stored)
                        .audit("policy.connector.create", target(stored), null, stored);
            };
        });
    }

    public Uni<Live> get(String id) {
        Requests.id(id, "id");
        return store.catchUp().chain(state -> {
            ConnectorRecord connector = found(state.connectors().get(id), "connector", id);
            return live.of(List.of(id)).map(liveStates -> withLive(connector, liveStates));
        });
    }

    public Uni<Page<Live>> list(int pageSize, String pageToken, String remoteNetworkId) {
        String networkFilter = Requests.optionalId(remoteNetworkId, "remote_network_id");
        return store.catchUp().map(state -> {
            List<ConnectorRecord> matching = state.connectors().values().stream()
                    .filter(c -> networkFilter.isEmpty() || c.networkId().equals(networkFilter)).toList();
            Function<ConnectorRecord, String> key = c -> networkName(state, c.networkId()) + "\u0001" + Paging.nameKey(c.name(), c.id());
            return Paging.page(matching, key, pageSize, pageToken, "connectors|" + networkFilter);
        }).chain(page -> live.of(page.items().stream().map(ConnectorRecord::id).toList())
                .map(liveStates -> new Page<>(page.items().stream().map(c -> withLive(c, liveStates)).toList(), page.nextPageToken())));
    }

    public Uni<Live> update(Actor actor, Draft input, List<String> updateMask) {
        String id = Requests.id(input.id(), "connector.id");
        Set<String> paths = Requests.mask(updateMask, MUTABLE);
        String name = paths.contains("name") ? Requests.name(input.name(), "name") : null;
        String description = paths.contains("description") ? Requests.description(input.description()) : null;
        return changes.apply(actor, (state, now) -> {
            ConnectorRecord before = found(state.connectors().get(id), "connector", id);
            Requests.etagMatches(input.etag(), before.etag(), "connector", id);
            if (name != null) {
                nameFree(state, before.networkId(), name, id);
            }
            return sequence -> {
                ConnectorRecord stored = new ConnectorRecord(id, before.networkId(), name != null ? name : before.name(),
                        description != null ? description : before.description(), before.createdAt(), now, sequence);
                return Change.returning(new Live(stored, ConnectorLiveness.NEVER_SEEN))
                        .rows(w -> w.updateConnector(stored))
                        .log(LogKind.CONNECTOR_UPSERTED, id, Set.of(stored.networkId()), Set.of(stored.networkId()), stored)
                        .audit("policy.connector.update", target(stored), before, stored);
            };
        });
    }

    /** Deletes a connector and publishes its revocation, so relays drop it and its flows end. */
    public Uni<Void> delete(Actor actor, String id, String etag) {
        Requests.id(id, "id");
        return changes.<Void>apply(actor, (state, now) -> {
            ConnectorRecord before = found(state.connectors().get(id), "connector", id);
            Requests.etagMatches(etag, before.etag(), "connector", id);
            RevocationRecord revocation = new RevocationRecord(RevocationRecord.Target.CONNECTOR, id, now,
                    "connector '" + before.name() + "' was deleted");
            return sequence -> Change.<Void>returning(null)
                    .rows(w -> w.deleteConnector(id))
                    .log(LogKind.CONNECTOR_DELETED, id, Set.of(), Set.of(before.networkId()), before)
                    .then(w -> changes.revoke(w, revocation, null))
                    .audit("policy.connector.delete", target(before), before, null);
        });
    }

    private static AuditRecord.Target target(ConnectorRecord connector) {
        return new AuditRecord.Target("connector", connector.id(), connector.name());
    }

    private static Live withLive(ConnectorRecord connector, Map<String, ConnectorLiveness> liveStates) {
        return new Live(connector, liveStates.getOrDefault(connector.id(), ConnectorLiveness.NEVER_SEEN));
    }

    private static void nameFree(PolicyState state, String networkId, String name, String id) {
        for (ConnectorRecord other : state.connectors().values()) {
            if (!other.id().equals(id) && other.networkId().equals(networkId) && other.name().equalsIgnoreCase(name)) {
                throw new PolicyError(PolicyError.Kind.ALREADY_EXISTS, "name", "name: this remote network already has a connector named '"
                        + other.name() + "' (" + other.id() + ")");
            }
        }
    }

    private static String networkName(PolicyState state, String networkId) {
        NetworkRecord network = state.networks().get(networkId);
        return network == null ? "" : network.name().toLowerCase(Locale.ROOT);
    }
}
