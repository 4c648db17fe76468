package dev.zerogate.policy.grpc;

import dev.zerogate.policy.Actor;
import dev.zerogate.policy.api.PolicyMessages;
import dev.zerogate.policy.caller.Callers;
import dev.zerogate.policy.service.AccessRuleService;
import dev.zerogate.policy.service.ConnectorService;
import dev.zerogate.policy.service.GroupService;
import dev.zerogate.policy.service.NetworkService;
import dev.zerogate.policy.service.ResourceService;
import dev.zerogate.proto.policy.v1.*;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

import java.util.function.Function;

/**
 * gRPC adapter for {@code zerogate.policy.v1.PolicyAdminService}: admin-only create, read,
 * update and delete of remote networks, connectors, resources, groups and access rules. Each
 * rpc checks the caller is an admin before anything else, then hands over to the entity's
 * service; failures map to the status codes the contract lists.
 */
@GrpcService
public class PolicyAdminGrpcService extends MutinyPolicyAdminServiceGrpc.PolicyAdminServiceImplBase {

    private final Callers callers;
    private final NetworkService networks;
    private final ConnectorService connectors;
    private final ResourceService resources;
    private final GroupService groups;
    private final AccessRuleService rules;

    PolicyAdminGrpcService(Callers callers, NetworkService networks, ConnectorService connectors, ResourceService resources,
                           GroupService groups, AccessRuleService rules) {
        this.callers = callers;
        this.networks = networks;
        this.connectors = connectors;
        this.resources = resources;
        this.groups = groups;
        this.rules = rules;
    }

    /** Runs {@code work} as the calling admin. */
    private <T> Uni<T> asAdmin(Function<Actor, Uni<T>> work) {
        Callers.Call call = GrpcCalls.current();
        return callers.requireAdmin(call)
                .chain(caller -> work.apply(Callers.actor(caller, call)))
                .onFailure().transform(GrpcErrors::toStatus);
    }

    // RemoteNetwork

    @Override
    public Uni<CreateRemoteNetworkResponse> createRemoteNetwork(CreateRemoteNetworkRequest request) {
        return asAdmin(actor -> networks.create(actor, PolicyMessages.draft(request.getRemoteNetwork())))
                .map(created -> CreateRemoteNetworkResponse.newBuilder().setRemoteNetwork(PolicyMessages.toProto(created)).build());
    }

    @Override
    public Uni<GetRemoteNetworkResponse> getRemoteNetwork(GetRemoteNetworkRequest request) {
        return asAdmin(actor -> networks.get(request.getId()))
                .map(found -> GetRemoteNetworkResponse.newBuilder().setRemoteNetwork(PolicyMessages.toProto(found)).build());
    }

    @Override
    public Uni<ListRemoteNetworksResponse> listRemoteNetworks(ListRemoteNetworksRequest request) {
        return asAdmin(actor -> networks.list(request.getPageSize(), request.getPageToken()))
                .map(page -> ListRemoteNetworksResponse.newBuilder()
                        .addAllRemoteNetworks(page.items().stream().map(PolicyMessages::toProto).toList())
                        .setNextPageToken(page.nextPageToken()).build());
    }

    @Override
    public Uni<UpdateRemoteNetworkResponse> updateRemoteNetwork(UpdateRemoteNetworkRequest request) {
        return asAdmin(actor -> networks.update(actor, PolicyMessages.draft(request.getRemoteNetwork()),
                request.getUpdateMask().getPathsList()))
                .map(updated -> UpdateRemoteNetworkResponse.newBuilder().setRemoteNetwork(PolicyMessages.toProto(updated)).build());
    }

    @Override
    public Uni<DeleteRemoteNetworkResponse> deleteRemoteNetwork(DeleteRemoteNetworkRequest request) {
        return asAdmin(actor -> networks.delete(actor, request.getId(), request.getEtag()))
                .map(ignored -> DeleteRemoteNetworkResponse.getDefaultInstance());
    }

    // Connector

    @Override
    public Uni<CreateConnectorResponse> createConnector(CreateConnectorRequest request) {
        return asAdmin(actor -> connectors.create(actor, PolicyMessages.draft(request.getConnector())))
                .map(created -> CreateConnectorResponse.newBuilder().setConnector(PolicyMessages.toProto(created)).build());
    }

    @Override
    public Uni<GetConnectorResponse> getConnector(GetConnectorRequest request) {
        return asAdmin(actor -> connectors.get(request.getId()))
                .map(found -> GetConnectorResponse.newBuilder().setConnector(PolicyMessages.toProto(found)).build());
    }

    @Override
    public Uni<ListConnectorsResponse> listConnectors(ListConnectorsRequest request) {
        return asAdmin(actor -> connectors.list(request.getPageSize(), request.getPageToken(), request.getRemoteNetworkId()))
                .map(page -> ListConnectorsResponse.newBuilder()
                        .addAllConnectors(page.items().stream().map(PolicyMessages::toProto).toList())
                        .setNextPageToken(page.nextPageToken()).build());
    }

    @Override
    public Uni<UpdateConnectorResponse> updateConnector(UpdateConnectorRequest request) {
        return asAdmin(actor -> connectors.update(actor, PolicyMessages.draft(request.getConnector()),
                request.getUpdateMask().getPathsList()))
                .map(updated -> UpdateConnectorResponse.newBuilder().setConnector(PolicyMessages.toProto(updated)).build());
    }

    @Override
    public Uni<DeleteConnectorResponse> deleteConnector(DeleteConnectorRequest request) {
        return asAdmin(actor -> connectors.delete(actor, request.getId(), request.getEtag()))
                .map(ignored -> DeleteConnectorResponse.getDefaultInstance());
    }

    // Resource

    @Override
    public Uni<CreateResourceResponse> createResource(CreateResourceRequest request) {
        return asAdmin(actor -> resources.create(actor, PolicyMessages.draft(request.getResource())))
                .map(created -> CreateResourceResponse.newBuilder().setResource(PolicyMessages.toProto(created)).build());
    }

    @Override
    public Uni<GetResourceResponse> getResource(GetResourceRequest request) {
        return asAdmin(actor -> resources.get(request.getId()))
                .map(found -> GetResourceResponse.newBuilder().setResource(PolicyMessages.toProto(found)).build());
    }

    @Override
    public Uni<ListResourcesResponse> listResources(ListResourcesRequest request) {
        return asAdmin(actor -> resources.list(request.getPageSize(), request.getPageToken(), request.getRemoteNetworkId(),
                request.getQuery()))
                .map(page -> ListResourcesResponse.newBuilder()
                        .addAllResources(page.items().stream().map(PolicyMessages::toProto).toList())
                        .setNextPageToken(page.nextPageToken()).build());
    }

    @Override
    public Uni<UpdateResourceResponse> updateResource(UpdateResourceRequest request) {
        return asAdmin(actor -> resources.update(actor, PolicyMessages.draft(request.getResource()), request.getUpdateMask().getPathsList()))
                .map(updated -> UpdateResourceResponse.newBuilder().setResource(PolicyMessages.toProto(updated)).build());
    }

    @Override
    public Uni<DeleteResourceResponse> deleteResource(DeleteResourceRequest request) {
        return asAdmin(actor -> resources.delete(actor, request.getId(), request.getEtag()))
                .map(ignored -> DeleteResourceResponse.getDefaultInstance());
    }

    // Group

    @Override
    public Uni<CreateGroupResponse> createGroup(CreateGroupRequest request) {
        return asAdmin(actor -> groups.create(actor, PolicyMessages.draft(request.getGroup())))
                .map(created -> CreateGroupResponse.newBuilder().setGroup(PolicyMessages.toProto(created, true)).build());
    }

    @Override
    public Uni<GetGroupResponse> getGroup(GetGroupRequest request) {
        return asAdmin(actor -> groups.get(request.getId()))
                .map(found -> GetGroupResponse.newBuilder().setGroup(PolicyMessages.toProto(found, true)).build());
    }

    @Override
    public Uni<ListGroupsResponse> listGroups(ListGroupsRequest request) {
        return asAdmin(actor -> groups.list(request.getPageSize(), request.getPageToken(), PolicyMessages.sourceFilter(request.getSource()),
                request.getMemberUserId(), request.getMemberServiceAccountId()))
                .map(page -> ListGroupsResponse.newBuilder()
                        .addAllGroups(page.items().stream().map(group -> PolicyMessages.toProto(group, false)).toList())
                        .setNextPageToken(page.nextPageToken()).build());
    }

    @Override
    public Uni<UpdateGroupResponse> updateGroup(UpdateGroupRequest request) {
        return asAdmin(actor -> groups.update(actor, PolicyMessages.draft(request.getGroup()), request.getUpdateMask().getPathsList()))
                .map(updated -> UpdateGroupResponse.newBuilder().setGroup(PolicyMessages.toProto(updated, true)).build());
    }

    @Override
    public Uni<DeleteGroupResponse> deleteGroup(DeleteGroupRequest request) {
        return asAdmin(actor -> groups.delete(actor, request.getId(), request.getEtag()))
                .map(ignored -> DeleteGroupResponse.getDefaultInstance());
    }

    // AccessRule

    @Override
    public Uni<CreateAccessRuleResponse> createAccessRule(CreateAccessRuleRequest request) {
        return asAdmin(actor -> rules.create(actor, PolicyMessages.draft(request.getRule())))
                .map(created -> CreateAccessRuleResponse.newBuilder().setRule(PolicyMessages.toProto(created)).build());
    }

    @Override
    public Uni<GetAccessRuleResponse> getAccessRule(GetAccessRuleRequest request) {
        return asAdmin(actor -> rules.get(request.getId()))
                .map(found -> GetAccessRuleResponse.newBuilder().setRule(PolicyMessages.toProto(found)).build());
    }

    @Override
    public Uni<ListAccessRulesResponse> listAccessRules(ListAccessRulesRequest request) {
        return asAdmin(actor -> rules.list(request.getPageSize(), request.getPageToken(), request.getGroupId(),
                request.getServiceAccountId(), request.getResourceId()))
                .map(page -> ListAccessRulesResponse.newBuilder()
                        .addAllRules(page.items().stream().map(PolicyMessages::toProto).toList())
                        .setNextPageToken(page.nextPageToken()).build());
    }

    @Override
    public Uni<UpdateAccessRuleResponse> updateAccessRule(UpdateAccessRuleRequest request) {
        return asAdmin(actor -> rules.update(actor, PolicyMessages.draft(request.getRule()), request.getUpdateMask().getPathsList()))
                .map(updated -> UpdateAccessRuleResponse.newBuilder().setRule(PolicyMessages.toProto(updated)).build());
    }

    @Override
    public Uni<DeleteAccessRuleResponse> deleteAccessRule(DeleteAccessRuleRequest request) {
        return asAdmin(actor -> rules.delete(actor, request.getId(), request.getEtag()))
                .map(ignored -> DeleteAccessRuleResponse.getDefaultInstance());
    }
}
