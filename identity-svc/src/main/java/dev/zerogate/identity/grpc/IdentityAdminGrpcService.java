package dev.zerogate.identity.grpc;

import dev.zerogate.proto.identity.v1.MutinyIdentityAdminServiceGrpc;
import io.quarkus.grpc.GrpcService;

/**
 * gRPC adapter for `zerogate.identity.v1.IdentityAdminService`. Users, devices, connectors, service accounts and sessions, for admins.
 *
 * <p>No rpc is implemented yet: each answers UNIMPLEMENTED, from the generated base class,
 * until the issue that builds it. The service is still registered, so that health and
 * reflection list it and clients can be written against it.
 */
@GrpcService
public class IdentityAdminGrpcService extends MutinyIdentityAdminServiceGrpc.IdentityAdminServiceImplBase {
}
