package dev.zerogate.policy.api;

import dev.zerogate.policy.ConnectorLiveness;
import dev.zerogate.policy.ConnectorRecord;
import dev.zerogate.policy.GroupRecord;
import dev.zerogate.policy.NetworkRecord;
import dev.zerogate.policy.ResourceRecord;
import dev.zerogate.policy.RevocationRecord;
import dev.zerogate.policy.RuleRecord;
import dev.zerogate.policy.engine.model.GroupSource;
import dev.zerogate.policy.engine.proto.EngineMapping;
import dev.zerogate.policy.service.AccessRuleService;
import dev.zerogate.policy.service.ConnectorService;
import dev.zerogate.policy.service.GroupService;
import dev.zerogate.policy.service.NetworkService;
import dev.zerogate.policy.service.ResourceService;
import dev.zerogate.policy.store.PolicyState;
import dev.zerogate.proto.ProtoTime;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.Connector;
import dev.zerogate.proto.policy.v1.ConnectorLiveState;
import dev.zerogate.proto.policy.v1.Group;
import dev.zerogate.proto.policy.v1.RemoteNetwork;
import dev.zerogate.proto.policy.v1.Resource;
import dev.zerogate.proto.policy.v1.Revocation;

import java.util.Optional;

/**
 * The admin model's messages and policy-svc's records, both ways. A record becomes the message
 * the API returns; a message an admin sends becomes a draft, every field as sent (the services
 * check them); a stored message becomes the record it was written from.
 */
public final class PolicyMessages {

    private PolicyMessages() {}

    // ---------------------------------------------------------------- remote networks

    public static NetworkService.Draft draft(RemoteNetwork proto) {
        return new NetworkService.Draft(proto.getId(), proto.getEtag(), proto.getName(), proto.getDescription());
    }

    /** The network as stored, without the counts of what it holds. */
    public static RemoteNetwork toProto(NetworkRecord network) {
        return RemoteNetwork.newBuilder().setId(network.id()).setName(network.name()).setDescription(network.description())
                .setCreatedAt(ProtoTime.timestamp(network.createdAt())).setUpdatedAt(ProtoTime.timestamp(network.updatedAt()))
                .setEtag(network.etag()).build();
    }

    public static RemoteNetwork toProto(NetworkService.Counted counted) {
        return toProto(counted.network()).toBuilder().setConnectorCount(counted.connectorCount())
                .setOnlineConnectorCount(counted.onlineConnectorCount()).setResourceCount(counted.resourceCount()).build();
    }

    static NetworkRecord record(RemoteNetwork proto) {
        return new NetworkRecord(proto.getId(), proto.getName(), proto.getDescription(), ProtoTime.instant(proto.getCreatedAt()),
                ProtoTime.instant(proto.getUpdatedAt()), PolicyState.sequenceOfEtag(proto.getEtag()));
    }

    // ---------------------------------------------------------------- connectors

    public static ConnectorService.Draft draft(Connector proto) {
        return new ConnectorService.Draft(proto.getId(), proto.getEtag(), proto.getRemoteNetworkId(), proto.getName(),
                proto.getDescription());
    }

    /** The connector as stored: its live state not yet known. */
    public static Connector toProto(ConnectorRecord connector) {
        return Connector.newBuilder().setId(connector.id()).setRemoteNetworkId(connector.networkId()).setName(connector.name())
                .setDescription(connector.description()).setLive(ConnectorLiveState.getDefaultInstance())
                .setCreatedAt(ProtoTime.timestamp(connector.createdAt())).setUpdatedAt(ProtoTime.timestamp(connector.updatedAt()))
                .setEtag(connector.etag()).build();
    }

    public static Connector toProto(ConnectorService.Live live) {
        return toProto(live.connector()).toBuilder().setLive(toProto(live.live())).build();
    }

    public static ConnectorLiveState toProto(ConnectorLiveness live) {
        ConnectorLiveState.Builder state = ConnectorLiveState.newBuilder().setOnline(live.online()).setVersion(live.version())
                .putAllLabels(live.labels()).addAllRelayIds(live.relayIds()).setActiveFlowCount(live.activeFlowCount());
        live.lastHeartbeatAt().ifPresent(at -> state.setLastHeartbeatAt(ProtoTime.timestamp(at)));
        return state.build();
    }

    static ConnectorRecord record(Connector proto) {
        return new ConnectorRecord(proto.getId(), proto.getRemoteNetworkId(), proto.getName(), proto.getDescription(),
                ProtoTime.instant(proto.getCreatedAt()), ProtoTime.instant(proto.getUpdatedAt()), PolicyState.sequenceOfEtag(proto.getEtag()));
    }

    // ---------------------------------------------------------------- resources

    public static ResourceService.Draft draft(Resource proto) {
        return new ResourceService.Draft(proto.getEtag(), EngineMapping.spec(proto), proto.getDescription());
    }

    public static Resource toProto(ResourceRecord resource) {
        return EngineMapping.toProto(resource.spec()).setDescription(resource.description())
                .setCreatedAt(ProtoTime.timestamp(resource.createdAt())).setUpdatedAt(ProtoTime.timestamp(resource.updatedAt()))
                .setEtag(resource.etag()).build();
    }

    static ResourceRecord record(Resource proto) {
        return new ResourceRecord(EngineMapping.spec(proto), proto.getDescription(), ProtoTime.instant(proto.getCreatedAt()),
                ProtoTime.instant(proto.getUpdatedAt()), PolicyState.sequenceOfEtag(proto.getEtag()));
    }

    // ---------------------------------------------------------------- groups

    public static GroupService.Draft draft(Group proto) {
        return new GroupService.Draft(proto.getEtag(), EngineMapping.spec(proto), proto.getDescription());
    }

    /** The group; ListGroups leaves its members out and keeps their count. */
    public static Group toProto(GroupRecord group, boolean withMembers) {
        Group.Builder builder = EngineMapping.toProto(group.spec()).setDescription(group.description())
                .setMemberCount(group.spec().members().size())
                .setCreatedAt(ProtoTime.timestamp(group.createdAt())).setUpdatedAt(ProtoTime.timestamp(group.updatedAt()))
                .setEtag(group.etag());
        return withMembers ? builder.build() : builder.clearMembers().build();
    }

    static GroupRecord record(Group proto) {
        return new GroupRecord(EngineMapping.spec(proto), proto.getDescription(), ProtoTime.instant(proto.getCreatedAt()),
                ProtoTime.instant(proto.getUpdatedAt()), PolicyState.sequenceOfEtag(proto.getEtag()));
    }

    // ---------------------------------------------------------------- access rules

    public static AccessRuleService.Draft draft(AccessRule proto) {
        return new AccessRuleService.Draft(proto.getEtag(), EngineMapping.spec(proto), proto.getDescription());
    }

    public static AccessRule toProto(RuleRecord rule) {
        return EngineMapping.toProto(rule.spec()).setDescription(rule.description())
                .setUpdatedAt(ProtoTime.timestamp(rule.updatedAt())).setEtag(rule.etag()).build();
    }

    static RuleRecord record(AccessRule proto) {
        return new RuleRecord(EngineMapping.spec(proto), proto.getDescription(), ProtoTime.instant(proto.getUpdatedAt()),
                PolicyState.sequenceOfEtag(proto.getEtag()));
    }

    // ---------------------------------------------------------------- revocations

    public static Revocation toProto(RevocationRecord revocation) {
        Revocation.Builder builder = Revocation.newBuilder().setRevokedAt(ProtoTime.timestamp(revocation.revokedAt()))
                .setReason(revocation.reason());
        return switch (revocation.target()) {
            case USER -> builder.setUserId(revocation.subjectId()).build();
            case DEVICE -> builder.setDeviceId(revocation.subjectId()).build();
            case CONNECTOR -> builder.setConnectorId(revocation.subjectId()).build();
            case SERVICE_ACCOUNT -> builder.setServiceAccountId(revocation.subjectId()).build();
            case SESSION -> builder.setSessionId(revocation.subjectId()).build();
        };
    }

    static RevocationRecord record(Revocation proto) {
        return switch (proto.getSubjectCase()) {
            case USER_ID -> revoked(RevocationRecord.Target.USER, proto.getUserId(), proto);
            case DEVICE_ID -> revoked(RevocationRecord.Target.DEVICE, proto.getDeviceId(), proto);
            case CONNECTOR_ID -> revoked(RevocationRecord.Target.CONNECTOR, proto.getConnectorId(), proto);
            case SERVICE_ACCOUNT_ID -> revoked(RevocationRecord.Target.SERVICE_ACCOUNT, proto.getServiceAccountId(), proto);
            case SESSION_ID -> revoked(RevocationRecord.Target.SESSION, proto.getSessionId(), proto);
            case SUBJECT_NOT_SET -> throw new IllegalArgumentException("a revocation needs a subject");
        };
    }

    private static RevocationRecord revoked(RevocationRecord.Target target, String id, Revocation proto) {
        return new RevocationRecord(target, id, ProtoTime.instant(proto.getRevokedAt()), proto.getReason());
    }

    /**
     * The source a ListGroups filter names: empty for any (unspecified); an unknown value is kept
     * as UNSPECIFIED, which no group has, so the page is empty.
     */
    public static Optional<GroupSource> sourceFilter(dev.zerogate.proto.policy.v1.GroupSource source) {
        return source == dev.zerogate.proto.policy.v1.GroupSource.GROUP_SOURCE_UNSPECIFIED ? Optional.empty()
                : Optional.of(EngineMapping.groupSource(source));
    }
}
