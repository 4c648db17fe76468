package dev.zerogate.connector.grpc;

import com.google.protobuf.Timestamp;
import dev.zerogate.connector.ConnectorStatus;
import dev.zerogate.proto.connector.v1.GetStatusRequest;
import dev.zerogate.proto.connector.v1.GetStatusResponse;
import dev.zerogate.proto.connector.v1.MutinyConnectorStatusServiceGrpc;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/** gRPC adapter for `zerogate.connector.v1.ConnectorStatusService`: domain status to proto. */
@GrpcService
public class ConnectorStatusGrpcService extends MutinyConnectorStatusServiceGrpc.ConnectorStatusServiceImplBase {

    private final ConnectorStatus status;

    ConnectorStatusGrpcService(ConnectorStatus status) {
        this.status = status;
    }

    @Override
    public Uni<GetStatusResponse> getStatus(GetStatusRequest request) {
        ConnectorStatus.Snapshot now = status.snapshot();
        GetStatusResponse.Builder response = GetStatusResponse.newBuilder()
                .setVersion(now.version())
                .setStartedAt(Timestamp.newBuilder()
                        .setSeconds(now.startedAt().getEpochSecond())
                        .setNanos(now.startedAt().getNano()))
                .putAllLabels(now.labels())
                .setStateDir(now.stateDir().toString())
                .setStateDirOk(now.stateDirProblem().isEmpty());
        now.stateDirProblem().ifPresent(response::setStateDirProblem);
        return Uni.createFrom().item(response.build());
    }
}
