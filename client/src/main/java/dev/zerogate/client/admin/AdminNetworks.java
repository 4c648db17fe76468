package dev.zerogate.client.admin;

import com.google.protobuf.FieldMask;
import dev.zerogate.client.cli.Table;
import dev.zerogate.client.cli.TimeSpec;
import dev.zerogate.client.policy.PolicyCall;
import dev.zerogate.client.policy.PolicyQuery;
import dev.zerogate.proto.policy.v1.CreateRemoteNetworkRequest;
import dev.zerogate.proto.policy.v1.DeleteRemoteNetworkRequest;
import dev.zerogate.proto.policy.v1.DeleteRemoteNetworkResponse;
import dev.zerogate.proto.policy.v1.GetRemoteNetworkRequest;
import dev.zerogate.proto.policy.v1.ListRemoteNetworksRequest;
import dev.zerogate.proto.policy.v1.ListRemoteNetworksResponse;
import dev.zerogate.proto.policy.v1.RemoteNetwork;
import dev.zerogate.proto.policy.v1.UpdateRemoteNetworkRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code zerogate admin networks}: the private networks that connectors reach into. */
@Command(name = "networks", description = "Remote networks: the private networks your connectors reach into.",
        subcommands = {AdminNetworks.ListNetworks.class, AdminNetworks.Create.class, AdminNetworks.Show.class,
                AdminNetworks.Rename.class, AdminNetworks.Delete.class})
class AdminNetworks {

    static Table table(List<RemoteNetwork> networks) {
        Table table = new Table("ID", "NAME", "CONNECTORS", "ONLINE", "RESOURCES", "DESCRIPTION");
        for (RemoteNetwork network : networks) {
            table.row(network.getId(), network.getName(), network.getConnectorCount(), network.getOnlineConnectorCount(),
                    network.getResourceCount(), network.getDescription());
        }
        return table;
    }

    static Table.Fields fields(RemoteNetwork network) {
        return new Table.Fields()
                .add("ID", network.getId())
                .add("Name", network.getName())
                .add("Description", network.getDescription())
                .add("Connectors", network.getConnectorCount() + " (" + network.getOnlineConnectorCount() + " online)")
                .add("Resources", network.getResourceCount())
                .add("Created", TimeSpec.render(network.getCreatedAt()))
                .add("Updated", TimeSpec.render(network.getUpdatedAt()));
    }

    @Command(name = "list", description = "List remote networks, by name.")
    static class ListNetworks extends PolicyQuery {
        @Override
        protected int run(PolicyCall call) {
            List<RemoteNetwork> networks = allPages(token -> call.policy().admin().listRemoteNetworks(
                            ListRemoteNetworksRequest.newBuilder().setPageSize(PAGE_SIZE).setPageToken(token).build()),
                    ListRemoteNetworksResponse::getRemoteNetworksList, ListRemoteNetworksResponse::getNextPageToken);
            if (json) {
                return printJson(call, networks);
            }
            if (networks.isEmpty()) {
                call.out().println("No remote networks. Create one: zerogate admin networks create NAME");
                return 0;
            }
            table(networks).print(call.out());
            return 0;
        }
    }

    @Command(name = "create", description = "Create a remote network.")
    static class Create extends PolicyQuery {
        @Parameters(index = "0", paramLabel = "NAME", description = "Its name, unique, e.g. Home.")
        String name;

        @Option(names = "--description", paramLabel = "TEXT", description = "Free text for admins.")
        String description = "";

        @Override
        protected int run(PolicyCall call) {
            RemoteNetwork network = call.policy().admin().createRemoteNetwork(CreateRemoteNetworkRequest.newBuilder()
                    .setRemoteNetwork(RemoteNetwork.newBuilder().setName(name).setDescription(description)).build()).getRemoteNetwork();
            if (json) {
                return printJson(call, network);
            }
            call.out().println("Created remote network " + network.getName() + " (" + network.getId() + ").");
            return 0;
        }
    }

    @Command(name = "show", description = "Show one remote network.")
    static class Show extends PolicyQuery {
        @Parameters(index = "0", paramLabel = "ID", description = "The network's id.")
        String id;

        @Override
        protected int run(PolicyCall call) {
            RemoteNetwork network = call.policy().admin().getRemoteNetwork(GetRemoteNetworkRequest.newBuilder().setId(id).build())
                    .getRemoteNetwork();
            if (json) {
                return printJson(call, network);
            }
            fields(network).print(call.out());
            return 0;
        }
    }

    @Command(name = "rename", description = "Rename a remote network.")
    static class Rename extends PolicyQuery {
        @Parameters(index = "0", paramLabel = "ID", description = "The network's id.")
        String id;

        @Parameters(index = "1", paramLabel = "NAME", description = "Its new name.")
        String name;

        @Override
        protected int run(PolicyCall call) {
            RemoteNetwork network = call.policy().admin().updateRemoteNetwork(UpdateRemoteNetworkRequest.newBuilder()
                    .setRemoteNetwork(RemoteNetwork.newBuilder().setId(id).setName(name))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("name")).build()).getRemoteNetwork();
            if (json) {
                return printJson(call, network);
            }
            call.out().println("Renamed remote network " + network.getId() + " to " + network.getName() + ".");
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete a remote network that has no connectors and no resources.")
    static class Delete extends PolicyQuery {
        @Parameters(index = "0", paramLabel = "ID", description = "The network's id.")
        String id;

        @Override
        protected int run(PolicyCall call) {
            DeleteRemoteNetworkResponse response = call.policy().admin().deleteRemoteNetwork(
                    DeleteRemoteNetworkRequest.newBuilder().setId(id).build());
            if (json) {
                return printJson(call, response);
            }
            call.out().println("Deleted remote network " + id + ".");
            return 0;
        }
    }
}
