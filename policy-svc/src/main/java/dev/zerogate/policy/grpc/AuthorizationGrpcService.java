package dev.zerogate.policy.grpc;

import dev.zerogate.policy.api.PolicyMessages;
import dev.zerogate.policy.caller.Callers;
import dev.zerogate.policy.engine.decision.ReachableResource;
import dev.zerogate.policy.engine.decision.Verdict;
import dev.zerogate.policy.engine.model.Device;
import dev.zerogate.policy.engine.proto.EngineMapping;
import dev.zerogate.policy.grant.GrantSigningKeys;
import dev.zerogate.policy.identity.DeviceDirectory;
import dev.zerogate.policy.service.Authorization;
import dev.zerogate.proto.ProtoTime;
import dev.zerogate.proto.policy.v1.AccessGrant;
import dev.zerogate.proto.policy.v1.AllowingRule;
import dev.zerogate.proto.policy.v1.AuthorizeRequest;
import dev.zerogate.proto.policy.v1.AuthorizeResponse;
import dev.zerogate.proto.policy.v1.GetGrantSigningKeysRequest;
import dev.zerogate.proto.policy.v1.GetGrantSigningKeysResponse;
import dev.zerogate.proto.policy.v1.ListMyResourcesRequest;
import dev.zerogate.proto.policy.v1.ListMyResourcesResponse;
import dev.zerogate.proto.policy.v1.MutinyAuthorizationServiceGrpc;
import dev.zerogate.servicekit.token.VerifiedAccessToken;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

import java.util.Optional;

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

    @Inject
    DeviceDirectory devices;

    /** What identity-svc knows of the device the caller's token is bound to, when the request names it. */
    private Uni<Optional<Device>> deviceFacts(VerifiedAccessToken caller, String requestedDevice) {
        boolean named = !requestedDevice.isEmpty() && caller.deviceId().map(requestedDevice::equals).orElse(false);
        return named ? devices.lookup(requestedDevice).map(Optional::of) : Uni.createFrom().item(Optional.empty());
    }

    @Override
    public Uni<AuthorizeResponse> authorize(AuthorizeRequest request) {
        Callers.Call call = GrpcCalls.current();
        return callers.authenticate(call)
                .chain(caller -> deviceFacts(caller, request.getDeviceId())
                        .map(device -> authorization.authorize(caller, Callers.actor(caller, call), new Authorization.Request(
                                request.getDestination(), EngineMapping.protocol(request.getProtocol()),
                                Integer.toUnsignedLong(request.getPort()), request.getDeviceId()), device)))
                .map(AuthorizationGrpcService::toProto)
                .onFailure().transform(GrpcErrors::toStatus);
    }

    private static AuthorizeResponse toProto(Authorization.Answer answer) {
        AuthorizeResponse.Builder response = AuthorizeResponse.newBuilder()
                .setDecision(EngineMapping.toProto(answer.permit() ? Verdict.PERMIT : Verdict.DENY))
                .setDecisionId(answer.decisionId())
                .setReason(answer.reason())
                .setDenyReason(EngineMapping.toProto(answer.denyReason()));
        answer.ruleId().ifPresent(response::setMatchedRuleId);
        answer.resource().ifPresent(resource -> response.setResourceId(resource.id()).setRemoteNetworkId(resource.networkId()));
        answer.grant().ifPresent(grant -> response.setGrant(AccessGrant.newBuilder().setToken(grant.token())
                .setExpiresAt(ProtoTime.timestamp(grant.expiresAt()))));
        return response.build();
    }

    @Override
    public Uni<ListMyResourcesResponse> listMyResources(ListMyResourcesRequest request) {
        Callers.Call call = GrpcCalls.current();
        return callers.authenticate(call)
                .chain(caller -> deviceFacts(caller, request.getDeviceId())
                        .map(device -> authorization.listMyResources(caller, request.getDeviceId(), request.getPageSize(),
                                request.getPageToken(), device)))
                .map(page -> ListMyResourcesResponse.newBuilder()
                        .addAllResources(page.items().stream().map(AuthorizationGrpcService::toProto).toList())
                        .setNextPageToken(page.nextPageToken()).build())
                .onFailure().transform(GrpcErrors::toStatus);
    }

    private static dev.zerogate.proto.policy.v1.ReachableResource toProto(Authorization.MyResource mine) {
        ReachableResource item = mine.reachable();
        var builder = dev.zerogate.proto.policy.v1.ReachableResource.newBuilder()
                .setResource(PolicyMessages.toProto(mine.resource()))
                .setRemoteNetworkName(mine.networkName())
                .setConnectName(item.connectName())
                .addAllUnmetConditions(item.unmetConditions());
        for (var rule : item.allowedBy()) {
            builder.addAllowedBy(AllowingRule.newBuilder().setRuleId(rule.ruleId()).setRuleName(rule.ruleName())
                    .setViaGroupId(rule.viaGroupId().orElse("")).setViaGroupName(rule.viaGroupName().orElse("")));
        }
        return builder.build();
    }

    /** The public grant keys; unauthenticated, as the contract says: they are public. */
    @Override
    public Uni<GetGrantSigningKeysResponse> getGrantSigningKeys(GetGrantSigningKeysRequest request) {
        return grantSigningKeys.publishedKeys()
                .map(keys -> GetGrantSigningKeysResponse.newBuilder()
                        .setJwksJson(keys.jwksJson())
                        .setCacheTtl(ProtoTime.duration(keys.cacheTtl()))
                        .build())
                // The contract's only failure: the keys cannot be read now; the caller retries.
                .onFailure().transform(failure -> Status.UNAVAILABLE
                        .withDescription("grant signing keys are unavailable; retry later").asRuntimeException());
    }
}
