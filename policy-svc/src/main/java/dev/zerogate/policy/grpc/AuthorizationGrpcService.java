package dev.zerogate.policy.grpc;

import dev.zerogate.policy.grant.GrantSigningKeys;
import dev.zerogate.proto.policy.v1.GetGrantSigningKeysRequest;
import dev.zerogate.proto.policy.v1.GetGrantSigningKeysResponse;
import dev.zerogate.proto.policy.v1.MutinyAuthorizationServiceGrpc;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

/**
 * gRPC adapter for `zerogate.policy.v1.AuthorizationService`. Decisions and the caller's own resources.
 *
 * <p>Built so far: GetGrantSigningKeys. Every other rpc answers UNIMPLEMENTED, from the generated
 * base class, until the issue that builds it. The service is still registered, so that health and
 * reflection list it and clients can be written against it.
 */
@GrpcService
public class AuthorizationGrpcService extends MutinyAuthorizationServiceGrpc.AuthorizationServiceImplBase {

    @Inject
    GrantSigningKeys grantSigningKeys;

    /** The public grant keys; unauthenticated, as the contract says: they are public. */
    @Override
    public Uni<GetGrantSigningKeysResponse> getGrantSigningKeys(GetGrantSigningKeysRequest request) {
        return grantSigningKeys.publishedKeys()
                .map(keys -> GetGrantSigningKeysResponse.newBuilder()
                        .setJwksJson(keys.jwksJson())
                        .setCacheTtl(com.google.protobuf.Duration.newBuilder()
                                .setSeconds(keys.cacheTtl().getSeconds())
                                .setNanos(keys.cacheTtl().getNano()))
                        .build())
                // The contract's only failure: the keys cannot be read now; the caller retries.
                .onFailure().transform(failure -> Status.UNAVAILABLE
                        .withDescription("grant signing keys are unavailable; retry later").asRuntimeException());
    }
}
