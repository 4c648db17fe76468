package dev.zerogate.client.admin;

import dev.zerogate.client.cli.CliErrors;
import dev.zerogate.client.cli.ProtoJson;
import dev.zerogate.client.cli.Table;
import dev.zerogate.client.cli.TimeSpec;
import dev.zerogate.client.login.IdentityAdmin;
import dev.zerogate.client.policy.PolicyCall;
import dev.zerogate.client.policy.PolicyQuery;
import dev.zerogate.proto.identity.v1.CreateConnectorResponse;
import dev.zerogate.proto.policy.v1.Connector;
import dev.zerogate.proto.policy.v1.ConnectorLiveState;
import dev.zerogate.proto.policy.v1.CreateConnectorRequest;
import dev.zerogate.proto.policy.v1.DeleteConnectorRequest;
import dev.zerogate.proto.policy.v1.DeleteConnectorResponse;
import dev.zerogate.proto.policy.v1.GetConnectorRequest;
import dev.zerogate.proto.policy.v1.ListConnectorsRequest;
import dev.zerogate.proto.policy.v1.ListConnectorsResponse;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code zerogate admin connectors}: the enforcement points placed in remote networks. */
@Command(name = "connectors", description = "Connectors: the outbound-only enforcement points inside remote networks.",
        subcommands = {AdminConnectors.ListConnectors.class, AdminConnectors.Create.class, AdminConnectors.Show.class,
                AdminConnectors.Delete.class})
class AdminConnectors {

    static Table table(List<Connector> connectors, Map<String, String> networkNames) {
        Table table = new Table("ID", "NAME", "NETWORK", "STATUS", "VERSION", "LAST HEARTBEAT", "FLOWS");
        for (Connector connector : connectors) {
            ConnectorLiveState live = connector.getLive();
            table.row(connector.getId(), connector.getName(),
                    networkNames.getOrDefault(connector.getRemoteNetworkId(), connector.getRemoteNetworkId()),
                    live.getOnline() ? "online" : "offline", live.getVersion(), TimeSpec.render(live.getLastHeartbeatAt()),
                    live.getActiveFlowCount());
        }
        return table;
    }

    static Table.Fields fields(Connector connector, Map<String, String> networkNames) {
        ConnectorLiveState live = connector.getLive();
        return new Table.Fields()
                .add("ID", connector.getId())
                .add("Name", connector.getName())
                .add("Network", AdminCommand.named(networkNames, connector.getRemoteNetworkId()))
                .add("Description", connector.getDescription())
                .add("Status", live.getOnline() ? "online" : "offline")
                .add("Version", live.getVersion())
                .add("Last heartbeat", TimeSpec.render(live.getLastHeartbeatAt()))
                .add("Relays", String.join(", ", live.getRelayIdsList()))
                .add("Active flows", live.getActiveFlowCount())
                .add("Labels", live.getLabelsMap().entrySet().stream().sorted(Map.Entry.comparingByKey())
                        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")))
                .add("Created", TimeSpec.render(connector.getCreatedAt()))
                .add("Updated", TimeSpec.render(connector.getUpdatedAt()));
    }

    @Command(name = "list", description = "List connectors, by network then name.")
    static class ListConnectors extends PolicyQuery {
        @Option(names = "--network", paramLabel = "ID", description = "Only the connectors of this remote network.")
        String network = "";

        @Override
        protected int run(PolicyCall call) {
            List<Connector> connectors = allPages(token -> call.policy().admin().listConnectors(ListConnectorsRequest.newBuilder()
                            .setPageSize(PAGE_SIZE).setPageToken(token).setRemoteNetworkId(network).build()),
                    ListConnectorsResponse::getConnectorsList, ListConnectorsResponse::getNextPageToken);
            if (json) {
                return printJson(call, connectors);
            }
            if (connectors.isEmpty()) {
                call.out().println("No connectors. Place one: zerogate admin connectors create --network ID");
                return 0;
            }
            table(connectors, AdminCommand.networkNames(call)).print(call.out());
            return 0;
        }
    }

    @Command(name = "create", description = "Place a new connector in a remote network and print its one-time credentials"
            + " (identity-svc issues them) with the settings that start it.")
    static class Create extends PolicyQuery {
        @Option(names = "--network", required = true, paramLabel = "ID", description = "The remote network it serves.")
        String network;

        @Option(names = "--name", paramLabel = "NAME", description = "Its name in the network (default: generated).")
        String name = "";

        @Option(names = "--description", paramLabel = "TEXT", description = "Free text for admins.")
        String description = "";

        @Override
        protected int run(PolicyCall call) throws InterruptedException {
            Connector connector = call.policy().admin().createConnector(CreateConnectorRequest.newBuilder()
                    .setConnector(Connector.newBuilder().setRemoteNetworkId(network).setName(name).setDescription(description))
                    .build()).getConnector();
            CreateConnectorResponse credentials;
            try {
                credentials = IdentityAdmin.createConnector(call.credentials(), access, connector.getId(), connector.getRemoteNetworkId());
            } catch (StatusRuntimeException e) {
                // The placement stands; the credentials can be asked for again by deleting and re-creating it.
                call.out().println("Placed connector " + connector.getName() + " (" + connector.getId() + "), but identity-svc did not"
                        + " issue its credentials: " + CliErrors.describe(e, call.credentials().server())
                        + ". Delete it (zerogate admin connectors delete " + connector.getId() + ") and create it again.");
                return CliErrors.FAILED;
            }
            if (json) {
                call.out().println("{\"connector\": " + ProtoJson.object(connector) + ", \"credentials\": " + ProtoJson.object(credentials) + "}");
                return 0;
            }
            call.out().println("Placed connector " + connector.getName() + " (" + connector.getId() + ") in remote network "
                    + connector.getRemoteNetworkId() + ".");
            call.out().println("Its one-time credentials follow: shown once, valid until first used or 24 h. On a machine inside that"
                    + " network, start connector-svc with these settings (an environment file, a systemd unit's Environment=, or -e for docker):");
            call.out().println();
            credentials.getEnvironmentMap().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(setting -> call.out().println("  " + setting.getKey() + "=" + setting.getValue()));
            call.out().println();
            call.out().println("for example: env $(cat connector.env) java -jar connector-svc/target/quarkus-app/quarkus-run.jar");
            return 0;
        }
    }

    @Command(name = "show", description = "Show one connector with its live state.")
    static class Show extends PolicyQuery {
        @Parameters(index = "0", paramLabel = "ID", description = "The connector's id.")
        String id;

        @Override
        protected int run(PolicyCall call) {
            Connector connector = call.policy().admin().getConnector(GetConnectorRequest.newBuilder().setId(id).build()).getConnector();
            if (json) {
                return printJson(call, connector);
            }
            fields(connector, AdminCommand.networkNames(call)).print(call.out());
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete a connector; its credentials are revoked and its flows end.")
    static class Delete extends PolicyQuery {
        @Parameters(index = "0", paramLabel = "ID", description = "The connector's id.")
        String id;

        @Override
        protected int run(PolicyCall call) {
            DeleteConnectorResponse response = call.policy().admin().deleteConnector(DeleteConnectorRequest.newBuilder().setId(id).build());
            if (json) {
                return printJson(call, response);
            }
            call.out().println("Deleted connector " + id + "; its credentials are revoked.");
            return 0;
        }
    }
}
