package dev.zerogate.policy.store;

import dev.zerogate.policy.AuditRecord;
import dev.zerogate.policy.ConnectorRecord;
import dev.zerogate.policy.GroupRecord;
import dev.zerogate.policy.NetworkRecord;
import dev.zerogate.policy.PolicyRecord;
import dev.zerogate.policy.ResourceRecord;
import dev.zerogate.policy.RevocationRecord;
import dev.zerogate.policy.RuleRecord;
import dev.zerogate.policy.engine.spec.GroupSpec;
import dev.zerogate.policy.engine.spec.ResourceSpec;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * One change in progress: the connection of its transaction (which holds the store's write lock),
 * the state it is validated against, the time it happens at (one instant for every row it
 * writes), and every statement a change can make. Rows keep the columns that constraints and
 * filters need plus the record's stored form ({@link EntityCodec}).
 */
public final class PolicyWriter {

    private final SqlClient conn;
    private final PolicyState state;
    private final Instant now;
    private final EntityCodec codec;
    private final AuditStore audit;

    PolicyWriter(SqlClient conn, PolicyState state, Instant now, EntityCodec codec, AuditStore audit) {
        this.conn = conn;
        this.state = state;
        this.now = now;
        this.codec = codec;
        this.audit = audit;
    }

    public PolicyState state() {
        return state;
    }

    public Instant now() {
        return now;
    }

    private OffsetDateTime nowUtc() {
        return utc(now);
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** The next log position; taken under the lock, so it is also the next to commit. */
    public Uni<Long> nextSequence() {
        return conn.query("SELECT nextval(pg_get_serial_sequence('policy_log', 'sequence'))").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** Appends the log entry of a change at {@code sequence} (from {@link #nextSequence()}). */
    public Uni<Void> log(long sequence, LogKind kind, String entityId, Set<String> networkIds, Set<String> previousNetworkIds,
                         PolicyRecord payload) {
        return conn.preparedQuery("INSERT INTO policy_log (sequence, committed_at, kind, entity_id, network_ids, "
                        + "previous_network_ids, payload) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .execute(Tuple.tuple(List.of(sequence, nowUtc(), kind.name(), entityId, LogEntry.joinIds(networkIds),
                        LogEntry.joinIds(previousNetworkIds), io.vertx.core.buffer.Buffer.buffer(codec.payload(payload)))))
                .replaceWithVoid();
    }

    /** Writes an audit event in this change's transaction: a change without its event cannot commit. */
    public Uni<Void> audit(AuditRecord event) {
        return audit.append(conn, event);
    }

    // ---------------------------------------------------------------- remote networks

    public Uni<Void> insertNetwork(NetworkRecord network) {
        return execute("INSERT INTO remote_networks (id, name, description, created_at, updated_at, change_sequence) "
                + "VALUES ($1, $2, $3, $4, $5, $6)", UUID.fromString(network.id()), network.name(), network.description(),
                utc(network.createdAt()), utc(network.updatedAt()), network.changeSequence());
    }

    public Uni<Void> updateNetwork(NetworkRecord network) {
        return execute("UPDATE remote_networks SET name = $2, description = $3, updated_at = $4, change_sequence = $5 WHERE id = $1",
                UUID.fromString(network.id()), network.name(), network.description(), utc(network.updatedAt()), network.changeSequence());
    }

    public Uni<Void> deleteNetwork(String id) {
        return execute("DELETE FROM remote_networks WHERE id = $1", UUID.fromString(id));
    }

    // ---------------------------------------------------------------- connectors

    public Uni<Void> insertConnector(ConnectorRecord connector) {
        return execute("INSERT INTO connectors (id, remote_network_id, name, body, created_at, updated_at, change_sequence) "
                        + "VALUES ($1, $2, $3, $4, $5, $6, $7)", UUID.fromString(connector.id()), UUID.fromString(connector.networkId()),
                connector.name(), codec.body(connector), utc(connector.createdAt()), utc(connector.updatedAt()),
                connector.changeSequence());
    }

    public Uni<Void> updateConnector(ConnectorRecord connector) {
        return execute("UPDATE connectors SET name = $2, body = $3, updated_at = $4, change_sequence = $5 WHERE id = $1",
                UUID.fromString(connector.id()), connector.name(), codec.body(connector), utc(connector.updatedAt()),
                connector.changeSequence());
    }

    public Uni<Void> deleteConnector(String id) {
        return execute("DELETE FROM connectors WHERE id = $1", UUID.fromString(id));
    }

    // ---------------------------------------------------------------- resources

    public Uni<Void> insertResource(ResourceRecord resource) {
        return execute("INSERT INTO resources (id, remote_network_id, name, address, alias, body, created_at, updated_at, "
                        + "change_sequence) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", UUID.fromString(resource.id()),
                UUID.fromString(resource.networkId()), resource.name(), resource.spec().address().text(), aliasOrNull(resource.spec()),
                codec.body(resource), utc(resource.createdAt()), utc(resource.updatedAt()), resource.changeSequence());
    }

    public Uni<Void> updateResource(ResourceRecord resource) {
        return execute("UPDATE resources SET remote_network_id = $2, name = $3, address = $4, alias = $5, body = $6, "
                        + "updated_at = $7, change_sequence = $8 WHERE id = $1", UUID.fromString(resource.id()),
                UUID.fromString(resource.networkId()), resource.name(), resource.spec().address().text(), aliasOrNull(resource.spec()),
                codec.body(resource), utc(resource.updatedAt()), resource.changeSequence());
    }

    public Uni<Void> deleteResource(String id) {
        return execute("DELETE FROM resources WHERE id = $1", UUID.fromString(id));
    }

    private static String aliasOrNull(ResourceSpec resource) {
        return resource.alias().isEmpty() ? null : resource.alias();
    }

    // ---------------------------------------------------------------- groups

    public Uni<Void> insertGroup(GroupRecord group) {
        return execute("INSERT INTO groups (id, name, source, idp_group_name, body, created_at, updated_at, change_sequence) "
                        + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", UUID.fromString(group.id()), group.name(), sourceColumn(group.spec()),
                idpGroupNameOrNull(group.spec()), codec.body(group), utc(group.createdAt()), utc(group.updatedAt()),
                group.changeSequence())
                .chain(() -> insertMembers(group));
    }

    public Uni<Void> updateGroup(GroupRecord group) {
        return execute("UPDATE groups SET name = $2, idp_group_name = $3, body = $4, updated_at = $5, change_sequence = $6 "
                        + "WHERE id = $1", UUID.fromString(group.id()), group.name(), idpGroupNameOrNull(group.spec()), codec.body(group),
                utc(group.updatedAt()), group.changeSequence())
                .chain(() -> execute("DELETE FROM group_members WHERE group_id = $1", UUID.fromString(group.id())))
                .chain(() -> insertMembers(group));
    }

    public Uni<Void> deleteGroup(String id) {
        return execute("DELETE FROM groups WHERE id = $1", UUID.fromString(id));
    }

    private Uni<Void> insertMembers(GroupRecord group) {
        if (group.spec().members().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> rows = new ArrayList<>();
        for (GroupSpec.Member member : group.spec().members()) {
            String kind = switch (member.kind()) {
                case USER -> "USER";
                case SERVICE_ACCOUNT -> "SERVICE_ACCOUNT";
                case UNSPECIFIED -> throw new IllegalArgumentException("group " + group.id() + " has a member of no kind");
            };
            rows.add(Tuple.of(UUID.fromString(group.id()), kind, UUID.fromString(member.id())));
        }
        return conn.preparedQuery("INSERT INTO group_members (group_id, member_kind, member_id) VALUES ($1, $2, $3)")
                .executeBatch(rows).replaceWithVoid();
    }

    private static String sourceColumn(GroupSpec group) {
        return switch (group.source()) {
            case LOCAL -> "LOCAL";
            case IDP_SYNC -> "IDP_SYNC";
            case UNSPECIFIED -> throw new IllegalArgumentException("group " + group.id() + " has no source");
        };
    }

    private static String idpGroupNameOrNull(GroupSpec group) {
        return group.idpGroupName().isEmpty() ? null : group.idpGroupName();
    }

    // ---------------------------------------------------------------- access rules

    public Uni<Void> insertRule(RuleRecord rule) {
        String groupId = rule.groupId();
        List<Tuple> links = rule.spec().resourceIds().stream()
                .map(resource -> Tuple.of(UUID.fromString(rule.id()), UUID.fromString(resource))).toList();
        return execute("INSERT INTO access_rules (id, name, group_id, service_account_id, body, created_at, updated_at, change_sequence) "
                        + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", UUID.fromString(rule.id()), rule.name(),
                groupId.isEmpty() ? null : UUID.fromString(groupId), groupId.isEmpty() ? UUID.fromString(rule.serviceAccountId()) : null,
                codec.body(rule), utc(rule.spec().createdAt()), utc(rule.updatedAt()), rule.changeSequence())
                .chain(() -> conn.preparedQuery("INSERT INTO access_rule_resources (rule_id, resource_id) VALUES ($1, $2)")
                        .executeBatch(links))
                .replaceWithVoid();
    }

    /** Rewrites a rule's row and its resource links. */
    public Uni<Void> replaceRule(RuleRecord rule) {
        return deleteRule(rule.id()).chain(() -> insertRule(rule));
    }

    public Uni<Void> deleteRule(String id) {
        return execute("DELETE FROM access_rules WHERE id = $1", UUID.fromString(id));
    }

    // ---------------------------------------------------------------- revocations

    /** Records a revocation row at log position {@code sequence}; {@code identitySequence} is identity-svc's, if it is one of its. */
    public Uni<Void> insertRevocation(RevocationRecord revocation, Long identitySequence, long sequence) {
        return execute("INSERT INTO revocations (subject_kind, subject_id, revoked_at, reason, identity_sequence, change_sequence) "
                        + "VALUES ($1, $2, $3, $4, $5, $6)", PolicyStore.revocationColumn(revocation.target()),
                UUID.fromString(revocation.subjectId()), utc(revocation.revokedAt()), revocation.reason(), identitySequence, sequence);
    }

    /** Whether identity-svc's revocation with this sequence is recorded already (by any replica). */
    public Uni<Boolean> identityRevocationRecorded(long identitySequence) {
        return conn.preparedQuery("SELECT 1 FROM revocations WHERE identity_sequence = $1").execute(Tuple.of(identitySequence))
                .map(rows -> rows.size() > 0);
    }

    private Uni<Void> execute(String sql, Object... params) {
        return conn.preparedQuery(sql).execute(Tuple.tuple(Arrays.asList(params))).replaceWithVoid();
    }
}
