package dev.zerogate.policy.grpc;

import dev.zerogate.proto.policy.v1.MutinyAuditServiceGrpc;
import io.quarkus.grpc.GrpcService;

/**
 * gRPC adapter for `zerogate.policy.v1.AuditService`. Queries and exports of the audit log.
 *
 * <p>No rpc is implemented yet: each answers UNIMPLEMENTED, from the generated base class,
 * until the issue that builds it. The service is still registered, so that health and
 * reflection list it and clients can be written against it.
 */
@GrpcService
public class AuditGrpcService extends MutinyAuditServiceGrpc.AuditServiceImplBase {
}
