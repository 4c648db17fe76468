package dev.zerogate.policy.grpc;

import dev.zerogate.proto.policy.v1.MutinyPolicyStreamServiceGrpc;
import io.quarkus.grpc.GrpcService;

/**
 * gRPC adapter for `zerogate.policy.v1.PolicyStreamService`. The live stream of policy changes and revocations.
 *
 * <p>No rpc is implemented yet: each answers UNIMPLEMENTED, from the generated base class,
 * until the issue that builds it. The service is still registered, so that health and
 * reflection list it and clients can be written against it.
 */
@GrpcService
public class PolicyStreamGrpcService extends MutinyPolicyStreamServiceGrpc.PolicyStreamServiceImplBase {
}
