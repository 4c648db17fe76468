package dev.zerogate.relay.grpc;

import dev.zerogate.proto.relay.v1.MutinyRelayControlServiceGrpc;
import io.quarkus.grpc.GrpcService;

/**
 * gRPC adapter for `zerogate.relay.v1.RelayControlService`. Connectors register and heartbeat here.
 *
 * <p>No rpc is implemented yet: each answers UNIMPLEMENTED, from the generated base class,
 * until the issue that builds it. The service is still registered, so that health and
 * reflection list it and clients can be written against it.
 */
@GrpcService
public class RelayControlGrpcService extends MutinyRelayControlServiceGrpc.RelayControlServiceImplBase {
}
