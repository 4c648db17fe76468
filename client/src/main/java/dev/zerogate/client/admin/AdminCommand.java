package dev.zerogate.client.admin;

import dev.zerogate.client.policy.PolicyCall;
import dev.zerogate.client.policy.PolicyCommand;
import dev.zerogate.proto.policy.v1.Group;
import dev.zerogate.proto.policy.v1.ListGroupsRequest;
import dev.zerogate.proto.policy.v1.ListGroupsResponse;
import dev.zerogate.proto.policy.v1.ListRemoteNetworksRequest;
import dev.zerogate.proto.policy.v1.ListRemoteNetworksResponse;
import dev.zerogate.proto.policy.v1.ListResourcesRequest;
import dev.zerogate.proto.policy.v1.ListResourcesResponse;
import dev.zerogate.proto.policy.v1.RemoteNetwork;
import dev.zerogate.proto.policy.v1.Resource;
import picocli.CommandLine.Command;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code zerogate admin}: the policy model over policy-svc's PolicyAdminService and the audit
 * log over its AuditService. Every subcommand needs an admin's login (an auditor's for
 * {@code audit}); others get the server's "permission denied" and exit 1.
 */
@Command(name = "admin",
        description = "Administer the policy (networks, connectors, resources, groups, access rules) and read the audit log.",
        subcommands = {AdminNetworks.class, AdminConnectors.class, AdminResources.class, AdminGroups.class, AdminRules.class,
                AdminAudit.class})
public class AdminCommand {

    /** Names by id, for tables that show names where the API gives ids. */
    static Map<String, String> networkNames(PolicyCall call) {
        return PolicyCommand.allPages(token -> call.policy().admin().listRemoteNetworks(ListRemoteNetworksRequest.newBuilder()
                                .setPageSize(PolicyCommand.PAGE_SIZE).setPageToken(token).build()),
                        ListRemoteNetworksResponse::getRemoteNetworksList, ListRemoteNetworksResponse::getNextPageToken)
                .stream().collect(Collectors.toMap(RemoteNetwork::getId, RemoteNetwork::getName, (a, b) -> a));
    }

    static Map<String, String> groupNames(PolicyCall call) {
        return PolicyCommand.allPages(token -> call.policy().admin().listGroups(ListGroupsRequest.newBuilder()
                                .setPageSize(PolicyCommand.PAGE_SIZE).setPageToken(token).build()),
                        ListGroupsResponse::getGroupsList, ListGroupsResponse::getNextPageToken)
                .stream().collect(Collectors.toMap(Group::getId, Group::getName, (a, b) -> a));
    }

    static Map<String, String> resourceNames(PolicyCall call) {
        return PolicyCommand.allPages(token -> call.policy().admin().listResources(ListResourcesRequest.newBuilder()
                                .setPageSize(PolicyCommand.PAGE_SIZE).setPageToken(token).build()),
                        ListResourcesResponse::getResourcesList, ListResourcesResponse::getNextPageToken)
                .stream().collect(Collectors.toMap(Resource::getId, Resource::getName, (a, b) -> a));
    }

    /** "name (id)", or the id alone when the name is unknown. */
    static String named(Map<String, String> names, String id) {
        String name = names.get(id);
        return name == null ? id : name + " (" + id + ")";
    }
}
