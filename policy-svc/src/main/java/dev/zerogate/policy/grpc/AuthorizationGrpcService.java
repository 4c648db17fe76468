package dev.zerogate.policy.grpc;

import dev.zerogate.policy.grant.GrantSigningKeys;
import dev.zerogate.policy.service.Authorization;
import dev.zerogate.proto.policy.v1.AuthorizeRequest;
import dev.zerogate.proto.policy.v1.AuthorizeResponse;
import dev.zerogate.proto.policy.v1.ListMyResourcesRequest;
import dev.zerogate.proto.policy.v1.ListMyResourcesResponse;
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
 * <p>Authorize and ListMyResources authenticate the caller (users and service accounts) and hand
 * over to {@link Authorization}; GetGrantSigningKeys is public.
 */
@GrpcService
public class AuthorizationGrpcService extends MutinyAuthorizationServiceGrpc.AuthorizationServiceImplBase {

    @Inject
    GrantSigningKeys grantSigningKeys;

    @Inject
    Callers callers;

    @Inject
    Authorization authorization;

    @Override
    public Uni<AuthorizeResponse> authorize(AuthorizeRequest request) {
        Callers.Call call = Callers.Call.current();
        return callers.authenticate(call)
                .map(caller -> authorization.authorize(caller, Callers.actor(caller, call), request))
                .onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Uni<ListMyResourcesResponse> listMyResources(ListMyResourcesRequest request) {
        Callers.Call call = Callers.Call.current();
        return callers.authenticate(call)
                .map(caller -> authorization.listMyResources(caller, request))
                .map(page -> ListMyResourcesResponse.newBuilder().addAllResources(page.items())
                        .setNextPageToken(page.nextPageToken()).build())
                .onFailure().transform(GrpcErrors::toStatus);
    }

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
