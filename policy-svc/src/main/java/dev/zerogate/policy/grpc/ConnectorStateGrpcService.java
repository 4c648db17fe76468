package dev.zerogate.policy.grpc;

import dev.zerogate.policy.caller.Callers;
import dev.zerogate.policy.service.ConnectorLiveStates;
import dev.zerogate.policy.store.PolicyStore;
import dev.zerogate.proto.ProtoTime;
import dev.zerogate.proto.policy.v1.ConnectorReport;
import dev.zerogate.proto.policy.v1.MutinyConnectorStateServiceGrpc;
import dev.zerogate.proto.policy.v1.ReportConnectorsRequest;
import dev.zerogate.proto.policy.v1.ReportConnectorsResponse;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

import java.util.Optional;

/** gRPC adapter for {@code zerogate.policy.v1.ConnectorStateService}: relays report the connectors they hold. */
@GrpcService
public class ConnectorStateGrpcService extends MutinyConnectorStateServiceGrpc.ConnectorStateServiceImplBase {

    private final Callers callers;
    private final ConnectorLiveStates liveStates;
    private final PolicyStore store;

    ConnectorStateGrpcService(Callers callers, ConnectorLiveStates liveStates, PolicyStore store) {
        this.callers = callers;
        this.liveStates = liveStates;
        this.store = store;
    }

    @Override
    public Uni<ReportConnectorsResponse> reportConnectors(ReportConnectorsRequest request) {
        Callers.Call call = GrpcCalls.current();
        return callers.authenticate(call)
                .invoke(caller -> {
                    if (!callers.isRelay(caller)) {
                        throw Status.PERMISSION_DENIED.withDescription("only relay service accounts "
                                + "(zerogate.policy.stream.relay-service-accounts) report connectors").asRuntimeException();
                    }
                })
                .chain(caller -> liveStates.report(request.getRelayId(), ProtoTime.duration(request.getOfflineAfter()),
                        request.getConnectorsList().stream().map(ConnectorStateGrpcService::report).toList(),
                        store.current().connectors().keySet()))
                .replaceWith(ReportConnectorsResponse.getDefaultInstance())
                .onFailure().transform(GrpcErrors::toStatus);
    }

    private static ConnectorLiveStates.Report report(ConnectorReport report) {
        return new ConnectorLiveStates.Report(report.getConnectorId(),
                report.hasLastHeartbeatAt() ? Optional.of(ProtoTime.instant(report.getLastHeartbeatAt())) : Optional.empty(),
                report.getVersion(), report.getLabelsMap(), report.getActiveFlowCount());
    }
}
