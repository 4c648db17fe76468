package dev.zerogate.policy.grpc;

import dev.zerogate.policy.service.Actor;
import dev.zerogate.policy.service.PolicyAdministration;
import dev.zerogate.proto.policy.v1.*;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

import java.util.function.Function;

/**
 * gRPC adapter for {@code zerogate.policy.v1.PolicyAdminService}: admin-only create, read,
 * update and delete of remote networks, connectors, resources, groups and access rules. Each
 * rpc checks the caller is an admin before anything else, then hands over to
 * {@link PolicyAdministration}; failures map to the status codes the contract lists.
 */
@GrpcService
public class PolicyAdminGrpcService extends MutinyPolicyAdminServiceGrpc.PolicyAdminServiceImplBase {

    private final Callers callers;
    private final PolicyAdministration admin;

    PolicyAdminGrpcService(Callers callers, PolicyAdministration admin) {
        this.callers = callers;
        this.admin = admin;
    }

    /** Runs {@code work} as the calling admin. */
    private <T> Uni<T> asAdmin(Function<Actor, Uni<T>> work) {
        Callers.Call call = Callers.Call.current();
        return callers.requireAdmin(call)
                .chain(caller -> work.apply(Callers.actor(caller, call)))
                .onFailure().transform(GrpcErrors::toStatus);
    }

    // RemoteNetwork

    @Override
    public Uni<CreateRemoteNetworkResponse> createRemoteNetwork(CreateRemoteNetworkRequest request) {
        return asAdmin(actor -> admin.createNetwork(actor, request.getRemoteNetwork()))
                .map(created -> CreateRemoteNetworkResponse.newBuilder().setRemoteNetwork(created).build());
    }

    @Override
    public Uni<GetRemoteNetworkResponse> getRemoteNetwork(GetRemoteNetworkRequest request) {
        return asAdmin(actor -> admin.getNetwork(request.getId()))
                .map(found -> GetRemoteNetworkResponse.newBuilder().setRemoteNetwork(found).build());
    }

    @Override
    public Uni<ListRemoteNetworksResponse> listRemoteNetworks(ListRemoteNetworksRequest request) {
        return asAdmin(actor -> admin.listNetworks(request.getPageSize(), request.getPageToken()))
                .map(page -> ListRemoteNetworksResponse.newBuilder().addAllRemoteNetworks(page.items())
                        .setNextPageToken(page.nextPageToken()).build());
    }

    @Override
    public Uni<UpdateRemoteNetworkResponse> updateRemoteNetwork(UpdateRemoteNetworkRequest request) {
        return asAdmin(actor -> admin.updateNetwork(actor, request.getRemoteNetwork(), request.getUpdateMask()))
                .map(updated -> UpdateRemoteNetworkResponse.newBuilder().setRemoteNetwork(updated).build());
    }

    @Override
    public Uni<DeleteRemoteNetworkResponse> deleteRemoteNetwork(DeleteRemoteNetworkRequest request) {
        return asAdmin(actor -> admin.deleteNetwork(actor, request.getId(), request.getEtag()))
                .map(ignored -> DeleteRemoteNetworkResponse.getDefaultInstance());
    }

    // Connector

    @Override
    public Uni<CreateConnectorResponse> createConnector(CreateConnectorRequest request) {
        return asAdmin(actor -> admin.createConnector(actor, request.getConnector()))
                .map(created -> CreateConnectorResponse.newBuilder().setConnector(created).build());
    }

    @Override
    public Uni<GetConnectorResponse> getConnector(GetConnectorRequest request) {
        return asAdmin(actor -> admin.getConnector(request.getId()))
                .map(found -> GetConnectorResponse.newBuilder().setConnector(found).build());
    }

    @Override
    public Uni<ListConnectorsResponse> listConnectors(ListConnectorsRequest request) {
        return asAdmin(actor -> admin.listConnectors(request.getPageSize(), request.getPageToken(), request.getRemoteNetworkId()))
                .map(page -> ListConnectorsResponse.newBuilder().addAllConnectors(page.items())
                        .setNextPageToken(page.nextPageToken()).build());
    }

    @Override
    public Uni<UpdateConnectorResponse> updateConnector(UpdateConnectorRequest request) {
        return asAdmin(actor -> admin.updateConnector(actor, request.getConnector(), request.getUpdateMask()))
                .map(updated -> UpdateConnectorResponse.newBuilder().setConnector(updated).build());
    }

    @Override
    public Uni<DeleteConnectorResponse> deleteConnector(DeleteConnectorRequest request) {
        return asAdmin(actor -> admin.deleteConnector(actor, request.getId(), request.getEtag()))
                .map(ignored -> DeleteConnectorResponse.getDefaultInstance());
    }

    // Resource

    @Override
    public Uni<CreateResourceResponse> createResource(CreateResourceRequest request) {
        return asAdmin(actor -> admin.createResource(actor, request.getResource()))
                .map(created -> CreateResourceResponse.newBuilder().setResource(created).build());
    }

    @Override
    public Uni<GetResourceResponse> getResource(GetResourceRequest request) {
        return asAdmin(actor -> admin.getResource(request.getId()))
                .map(found -> GetResourceResponse.newBuilder().setResource(found).build());
    }

    @Override
    public Uni<ListResourcesResponse> listResources(ListResourcesRequest request) {
        return asAdmin(actor -> admin.listResources(request.getPageSize(), request.getPageToken(), request.getRemoteNetworkId(), request.getQuery()))
                .map(page -> ListResourcesResponse.newBuilder().addAllResources(page.items())
                        .setNextPageToken(page.nextPageToken()).build());
    }

    @Override
    public Uni<UpdateResourceResponse> updateResource(UpdateResourceRequest request) {
        return asAdmin(actor -> admin.updateResource(actor, request.getResource(), request.getUpdateMask()))
                .map(updated -> UpdateResourceResponse.newBuilder().setResource(updated).build());
    }

    @Override
    public Uni<DeleteResourceResponse> deleteResource(DeleteResourceRequest request) {
        return asAdmin(actor -> admin.deleteResource(actor, request.getId(), request.getEtag()))
                .map(ignored -> DeleteResourceResponse.getDefaultInstance());
    }

    // Group

    @Override
    public Uni<CreateGroupResponse> createGroup(CreateGroupRequest request) {
        return asAdmin(actor -> admin.createGroup(actor, request.getGroup()))
                .map(created -> CreateGroupResponse.newBuilder().setGroup(created).build());
    }

    @Override
    public Uni<GetGroupResponse> getGroup(GetGroupRequest request) {
        return asAdmin(actor -> admin.getGroup(request.getId()))
                .map(found -> GetGroupResponse.newBuilder().setGroup(found).build());
    }

    @Override
    public Uni<ListGroupsResponse> listGroups(ListGroupsRequest request) {
        return asAdmin(actor -> admin.listGroups(request.getPageSize(), request.getPageToken(), request.getSource(), request.getMemberUserId(), request.getMemberServiceAccountId()))
                .map(page -> ListGroupsResponse.newBuilder().addAllGroups(page.items())
                        .setNextPageToken(page.nextPageToken()).build());
    }

    @Override
    public Uni<UpdateGroupResponse> updateGroup(UpdateGroupRequest request) {
        return asAdmin(actor -> admin.updateGroup(actor, request.getGroup(), request.getUpdateMask()))
                .map(updated -> UpdateGroupResponse.newBuilder().setGroup(updated).build());
    }

    @Override
    public Uni<DeleteGroupResponse> deleteGroup(DeleteGroupRequest request) {
        return asAdmin(actor -> admin.deleteGroup(actor, request.getId(), request.getEtag()))
                .map(ignored -> DeleteGroupResponse.getDefaultInstance());
    }

    // AccessRule

    @Override
    public Uni<CreateAccessRuleResponse> createAccessRule(CreateAccessRuleRequest request) {
        return asAdmin(actor -> admin.createRule(actor, request.getRule()))
                .map(created -> CreateAccessRuleResponse.newBuilder().setRule(created).build());
    }

    @Override
    public Uni<GetAccessRuleResponse> getAccessRule(GetAccessRuleRequest request) {
        return asAdmin(actor -> admin.getRule(request.getId()))
                .map(found -> GetAccessRuleResponse.newBuilder().setRule(found).build());
    }

    @Override
    public Uni<ListAccessRulesResponse> listAccessRules(ListAccessRulesRequest request) {
        return asAdmin(actor -> admin.listRules(request.getPageSize(), request.getPageToken(), request.getGroupId(), request.getServiceAccountId(), request.getResourceId()))
                .map(page -> ListAccessRulesResponse.newBuilder().addAllRules(page.items())
                        .setNextPageToken(page.nextPageToken()).build());
    }

    @Override
    public Uni<UpdateAccessRuleResponse> updateAccessRule(UpdateAccessRuleRequest request) {
        return asAdmin(actor -> admin.updateRule(actor, request.getRule(), request.getUpdateMask()))
                .map(updated -> UpdateAccessRuleResponse.newBuilder().setRule(updated).build());
    }

    @Override
    public Uni<DeleteAccessRuleResponse> deleteAccessRule(DeleteAccessRuleRequest request) {
        return asAdmin(actor -> admin.deleteRule(actor, request.getId(), request.getEtag()))
                .map(ignored -> DeleteAccessRuleResponse.getDefaultInstance());
    }
}
