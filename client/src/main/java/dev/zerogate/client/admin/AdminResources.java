package dev.zerogate.client.admin;

import com.google.protobuf.FieldMask;
import dev.zerogate.client.cli.AddressSpec;
import dev.zerogate.client.cli.Converters;
import dev.zerogate.client.cli.PortSpec;
import dev.zerogate.client.cli.Table;
import dev.zerogate.client.cli.TimeSpec;
import dev.zerogate.client.policy.PolicyCall;
import dev.zerogate.client.policy.PolicyQuery;
import dev.zerogate.proto.policy.v1.CreateResourceRequest;
import dev.zerogate.proto.policy.v1.DeleteResourceRequest;
import dev.zerogate.proto.policy.v1.DeleteResourceResponse;
import dev.zerogate.proto.policy.v1.GetResourceRequest;
import dev.zerogate.proto.policy.v1.ListResourcesRequest;
import dev.zerogate.proto.policy.v1.ListResourcesResponse;
import dev.zerogate.proto.policy.v1.PortPolicy;
import dev.zerogate.proto.policy.v1.Resource;
import dev.zerogate.proto.policy.v1.ResourceAddress;
import dev.zerogate.proto.policy.v1.UpdateResourceRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.Map;

/** {@code zerogate admin resources}: what may be reached in each remote network, and on which ports. */
@Command(name = "resources", description = "Resources: names, wildcards, addresses and CIDRs in remote networks, with their ports.",
        subcommands = {AdminResources.ListResources.class, AdminResources.Create.class, AdminResources.Show.class,
                AdminResources.Update.class, AdminResources.Delete.class})
class AdminResources {

    static final String ADDRESS_HELP = "Where it is: a name (nas.lan), a wildcard (*.lab.home), an IP address (10.0.0.5, fd00::5) "
            + "or a CIDR (10.0.0.0/24); the kind is inferred, names are not resolved here.";
    static final String PORTS_HELP = "all, none, or ports and ranges like 22,80,8000-8080";

    static Table table(List<Resource> resources, Map<String, String> networkNames) {
        Table table = new Table("ID", "NAME", "NETWORK", "ADDRESS", "ALIAS", "PORTS");
        for (Resource resource : resources) {
            table.row(resource.getId(), resource.getName(),
                    networkNames.getOrDefault(resource.getRemoteNetworkId(), resource.getRemoteNetworkId()),
                    AddressSpec.render(resource.getAddress()), resource.getAlias(),
                    PortSpec.summary(resource.getTcp(), resource.getUdp(), resource.getIcmpAllowed()));
        }
        return table;
    }

    static Table.Fields fields(Resource resource, Map<String, String> networkNames) {
        return new Table.Fields()
                .add("ID", resource.getId())
                .add("Name", resource.getName())
                .add("Network", AdminCommand.named(networkNames, resource.getRemoteNetworkId()))
                .add("Description", resource.getDescription())
                .add("Address", AddressSpec.render(resource.getAddress()) + " (" + AddressSpec.kind(resource.getAddress()) + ")")
                .add("Alias", resource.getAlias())
                .add("TCP", PortSpec.render(resource.getTcp()))
                .add("UDP", PortSpec.render(resource.getUdp()))
                .add("ICMP", resource.getIcmpAllowed() ? "allowed" : "not allowed")
                .add("Created", TimeSpec.render(resource.getCreatedAt()))
                .add("Updated", TimeSpec.render(resource.getUpdatedAt()));
    }

    @Command(name = "list", description = "List resources, by name.")
    static class ListResources extends PolicyQuery {
        @Option(names = "--network", paramLabel = "ID", description = "Only the resources of this remote network.")
        String network = "";

        @Option(names = "--query", paramLabel = "TEXT", description = "Only resources whose name, address or alias contains it.")
        String query = "";

        @Override
        protected int run(PolicyCall call) {
            List<Resource> resources = allPages(token -> call.policy().admin().listResources(ListResourcesRequest.newBuilder()
                            .setPageSize(PAGE_SIZE).setPageToken(token).setRemoteNetworkId(network).setQuery(query).build()),
                    ListResourcesResponse::getResourcesList, ListResourcesResponse::getNextPageToken);
            if (json) {
                return printJson(call, resources);
            }
            if (resources.isEmpty()) {
                call.out().println("No resources" + (network.isEmpty() && query.isEmpty() ? "" : " match") + ".");
                return 0;
            }
            table(resources, AdminCommand.networkNames(call)).print(call.out());
            return 0;
        }
    }

    @Command(name = "create", description = "Create a resource in a remote network.")
    static class Create extends PolicyQuery {
        @Option(names = "--network", required = true, paramLabel = "ID", description = "The remote network whose connectors reach it.")
        String network;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Its name in the network, e.g. \"Pi-hole admin\".")
        String name;

        @Option(names = "--address", required = true, paramLabel = "ADDR", converter = Converters.Address.class, description = ADDRESS_HELP)
        ResourceAddress address;

        @Option(names = "--alias", paramLabel = "NAME", description = "A DNS name clients use instead of the address, e.g. pihole.zg.")
        String alias = "";

        @Option(names = "--description", paramLabel = "TEXT", description = "Free text for admins.")
        String description = "";

        @Option(names = "--tcp", paramLabel = "PORTS", converter = Converters.Ports.class, description = "TCP ports: " + PORTS_HELP
                + " (default: all).")
        PortPolicy tcp;

        @Option(names = "--udp", paramLabel = "PORTS", converter = Converters.Ports.class, description = "UDP ports: " + PORTS_HELP
                + " (default: all).")
        PortPolicy udp;

        @Option(names = "--icmp", description = "Allow ICMP echo (ping).")
        boolean icmp;

        @Override
        protected int run(PolicyCall call) {
            Resource.Builder resource = Resource.newBuilder().setRemoteNetworkId(network).setName(name).setAddress(address)
                    .setAlias(alias).setDescription(description).setIcmpAllowed(icmp);
            if (tcp != null) {
                resource.setTcp(tcp);
            }
            if (udp != null) {
                resource.setUdp(udp);
            }
            Resource created = call.policy().admin().createResource(CreateResourceRequest.newBuilder().setResource(resource).build())
                    .getResource();
            if (json) {
                return printJson(call, created);
            }
            call.out().println("Created resource " + created.getName() + " (" + created.getId() + ").");
            fields(created, Map.of()).print(call.out());
            return 0;
        }
    }

    @Command(name = "show", description = "Show one resource.")
    static class Show extends PolicyQuery {
        @Parameters(index = "0", paramLabel = "ID", description = "The resource's id.")
        String id;

        @Override
        protected int run(PolicyCall call) {
            Resource resource = call.policy().admin().getResource(GetResourceRequest.newBuilder().setId(id).build()).getResource();
            if (json) {
                return printJson(call, resource);
            }
            fields(resource, AdminCommand.networkNames(call)).print(call.out());
            return 0;
        }
    }

    /** Changes exactly the fields whose options are given: the update mask is built from them. */
    @Command(name = "update", description = "Change a resource: only the fields whose options are given.")
    static class Update extends PolicyQuery {
        @Parameters(index = "0", paramLabel = "ID", description = "The resource's id.")
        String id;

        @Option(names = "--name", paramLabel = "NAME", description = "A new name.")
        String name;

        @Option(names = "--description", paramLabel = "TEXT", description = "A new description.")
        String description;

        @Option(names = "--network", paramLabel = "ID", description = "Move it to another remote network.")
        String network;

        @Option(names = "--address", paramLabel = "ADDR", converter = Converters.Address.class, description = ADDRESS_HELP)
        ResourceAddress address;

        @Option(names = "--alias", paramLabel = "NAME", description = "A new alias; \"\" removes it.")
        String alias;

        @Option(names = "--tcp", paramLabel = "PORTS", converter = Converters.Ports.class, description = "TCP ports: " + PORTS_HELP + ".")
        PortPolicy tcp;

        @Option(names = "--udp", paramLabel = "PORTS", converter = Converters.Ports.class, description = "UDP ports: " + PORTS_HELP + ".")
        PortPolicy udp;

        @Option(names = "--icmp", negatable = true, description = "Allow (--icmp) or refuse (--no-icmp) ICMP echo.")
        Boolean icmp;

        @Override
        protected void checkArguments() {
            if (mask().getPathsCount() == 0) {
                throw usage("nothing to change: give at least one of --name, --description, --network, --address, --alias, "
                        + "--tcp, --udp, --icmp or --no-icmp");
            }
        }

        /** The update mask: one path per option given, in the contract's names. */
        FieldMask mask() {
            FieldMask.Builder mask = FieldMask.newBuilder();
            if (name != null) {
                mask.addPaths("name");
            }
            if (description != null) {
                mask.addPaths("description");
            }
            if (network != null) {
                mask.addPaths("remote_network_id");
            }
            if (address != null) {
                mask.addPaths("address");
            }
            if (alias != null) {
                mask.addPaths("alias");
            }
            if (tcp != null) {
                mask.addPaths("tcp");
            }
            if (udp != null) {
                mask.addPaths("udp");
            }
            if (icmp != null) {
                mask.addPaths("icmp_allowed");
            }
            return mask.build();
        }

        /** The resource carrying the new values; fields outside the mask are left unset and ignored by the server. */
        Resource changes() {
            Resource.Builder resource = Resource.newBuilder().setId(id);
            if (name != null) {
                resource.setName(name);
            }
            if (description != null) {
                resource.setDescription(description);
            }
            if (network != null) {
                resource.setRemoteNetworkId(network);
            }
            if (address != null) {
                resource.setAddress(address);
            }
            if (alias != null) {
                resource.setAlias(alias.strip());
            }
            if (tcp != null) {
                resource.setTcp(tcp);
            }
            if (udp != null) {
                resource.setUdp(udp);
            }
            if (icmp != null) {
                resource.setIcmpAllowed(icmp);
            }
            return resource.build();
        }

        @Override
        protected int run(PolicyCall call) {
            Resource updated = call.policy().admin().updateResource(UpdateResourceRequest.newBuilder()
                    .setResource(changes()).setUpdateMask(mask()).build()).getResource();
            if (json) {
                return printJson(call, updated);
            }
            call.out().println("Updated resource " + updated.getName() + " (" + updated.getId() + ").");
            fields(updated, Map.of()).print(call.out());
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete a resource that no access rule lists; its flows are closed.")
    static class Delete extends PolicyQuery {
        @Parameters(index = "0", paramLabel = "ID", description = "The resource's id.")
        String id;

        @Override
        protected int run(PolicyCall call) {
            DeleteResourceResponse response = call.policy().admin().deleteResource(DeleteResourceRequest.newBuilder().setId(id).build());
            if (json) {
                return printJson(call, response);
            }
            call.out().println("Deleted resource " + id + ".");
            return 0;
        }
    }
}
