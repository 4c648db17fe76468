package dev.zerogate.identity.grpc;

import dev.zerogate.proto.identity.v1.MutinyEnrollmentServiceGrpc;
import io.quarkus.grpc.GrpcService;

/**
 * gRPC adapter for `zerogate.identity.v1.EnrollmentService`. Device and connector certificates.
 *
 * <p>No rpc is implemented yet: each answers UNIMPLEMENTED, from the generated base class,
 * until the issue that builds it. The service is still registered, so that health and
 * reflection list it and clients can be written against it.
 */
@GrpcService
public class EnrollmentGrpcService extends MutinyEnrollmentServiceGrpc.EnrollmentServiceImplBase {
}
