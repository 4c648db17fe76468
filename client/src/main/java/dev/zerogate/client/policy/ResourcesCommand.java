package dev.zerogate.client.policy;

import dev.zerogate.client.cli.PortSpec;
import dev.zerogate.client.cli.Table;
import dev.zerogate.client.login.AccessTokenView;
import dev.zerogate.proto.policy.v1.AllowingRule;
import dev.zerogate.proto.policy.v1.ListMyResourcesRequest;
import dev.zerogate.proto.policy.v1.ListMyResourcesResponse;
import dev.zerogate.proto.policy.v1.ReachableResource;
import dev.zerogate.proto.policy.v1.Resource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code zerogate resources}: what the logged-in person may reach (AuthorizationService.
 * ListMyResources, every page), with the name to use, the ports, the rules that allow each,
 * and whether it can be reached right now or which conditions are unmet. Only what the data
 * plane carries is listed: TCP ports (a note says when a resource's policy also allows UDP or
 * ICMP, which zerogate does not carry yet).
 *
 * <p>The device: policy-svc wants exactly the device the access token is bound to (its
 * {@code zg_dev} claim), and refuses a request without it when the token names one. So the
 * id comes from the token; a login whose token names no device sends none (posture
 * conditions are then reported as unmet). {@code --device-id} overrides it.
 */
@Command(name = "resources", description = "List the resources you may reach, the name to use, and what allows them.")
public class ResourcesCommand extends PolicyQuery {

    @Option(names = "--device-id", paramLabel = "ID",
            description = "This device's id (default: the enrolled device your login is bound to, if any).")
    String deviceId;

    @Override
    protected int run(PolicyCall call) throws Exception {
        String device = deviceId != null ? deviceId.strip() : AccessTokenView.decode(call.credentials().accessToken()).deviceId();
        List<ReachableResource> reachable = allPages(
                token -> call.policy().authorization().listMyResources(ListMyResourcesRequest.newBuilder()
                        .setPageSize(PAGE_SIZE).setPageToken(token).setDeviceId(device).build()),
                ListMyResourcesResponse::getResourcesList, ListMyResourcesResponse::getNextPageToken);
        if (json) {
            return printJson(call, reachable);
        }
        if (reachable.isEmpty()) {
            call.out().println("No resources are open to you yet: an admin grants them with access rules.");
            return 0;
        }
        table(reachable).print(call.out());
        if (reachable.stream().anyMatch(item -> PortSpec.allowsUncarried(item.getResource().getUdp(), item.getResource().getIcmpAllowed()))) {
            call.out().println();
            call.out().println(UNCARRIED_NOTE);
        }
        return 0;
    }

    static final String UNCARRIED_NOTE = "Only TCP ports are shown: some of these resources also allow UDP or ICMP, "
            + "which zerogate does not carry yet.";

    static Table table(List<ReachableResource> reachable) {
        Table table = new Table("NAME TO USE", "NETWORK", "PORTS", "ALLOWED BY", "STATUS");
        for (ReachableResource item : reachable) {
            Resource resource = item.getResource();
            table.row(item.getConnectName(), item.getRemoteNetworkName(),
                    PortSpec.reachable(resource.getTcp()),
                    item.getAllowedByList().stream().map(AllowingRule::getRuleName).collect(Collectors.joining(", ")),
                    status(item));
        }
        return table;
    }

    /** "ready", or the conditions that do not hold right now. */
    static String status(ReachableResource item) {
        return item.getUnmetConditionsCount() == 0 ? "ready" : String.join("; ", item.getUnmetConditionsList());
    }
}
