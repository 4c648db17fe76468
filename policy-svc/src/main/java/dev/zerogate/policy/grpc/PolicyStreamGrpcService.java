package dev.zerogate.policy.grpc;

import dev.zerogate.policy.ConnectorRecord;
import dev.zerogate.policy.caller.Callers;
import dev.zerogate.policy.service.PolicyError;
import dev.zerogate.policy.service.PolicyStreams;
import dev.zerogate.policy.service.Requests;
import dev.zerogate.policy.store.PolicyStore;
import dev.zerogate.proto.policy.v1.MutinyPolicyStreamServiceGrpc;
import dev.zerogate.proto.policy.v1.SubscriberKind;
import dev.zerogate.proto.policy.v1.WatchPolicyRequest;
import dev.zerogate.proto.policy.v1.WatchPolicyResponse;
import dev.zerogate.servicekit.token.PrincipalKind;
import dev.zerogate.servicekit.token.VerifiedAccessToken;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import java.util.Optional;
import java.util.Set;

/**
 * gRPC adapter for {@code zerogate.policy.v1.PolicyStreamService}. Checks that the subscriber is
 * what it claims (a connector its own id, in its own network; a relay a configured relay
 * service account, or an admin), then streams {@link PolicyStreams#watch}.
 */
@GrpcService
public class PolicyStreamGrpcService extends MutinyPolicyStreamServiceGrpc.PolicyStreamServiceImplBase {

    private static final int MAX_NETWORKS = 1000;

    private final Callers callers;
    private final PolicyStreams streams;
    private final PolicyStore store;

    PolicyStreamGrpcService(Callers callers, PolicyStreams streams, PolicyStore store) {
        this.callers = callers;
        this.streams = streams;
        this.store = store;
    }

    @Override
    public Multi<WatchPolicyResponse> watchPolicy(WatchPolicyRequest request) {
        Callers.Call call = GrpcCalls.current();
        return callers.authenticate(call)
                .chain(caller -> Uni.createFrom().item(() -> scope(caller, request)))
                .onItem().transformToMulti(scope -> streams.watch(scope, request.getResumeAfterSequence()))
                .map(event -> WatchPolicyResponse.newBuilder().setEvent(StreamMessages.toProto(event)).build())
                .onFailure().transform(PolicyStreamGrpcService::toStatus);
    }

    private PolicyStreams.Scope scope(VerifiedAccessToken caller, WatchPolicyRequest request) {
        String subscriber = Requests.id(request.getSubscriberId(), "subscriber_id");
        if (request.getRemoteNetworkIdsCount() > MAX_NETWORKS) {
            throw PolicyError.invalid("remote_network_ids", "names more than " + MAX_NETWORKS + " networks");
        }
        for (int i = 0; i < request.getRemoteNetworkIdsCount(); i++) {
            Requests.id(request.getRemoteNetworkIds(i), "remote_network_ids[" + i + "]");
        }
        if (request.getSubscriberKind() == SubscriberKind.SUBSCRIBER_KIND_CONNECTOR) {
            if (caller.kind() != PrincipalKind.CONNECTOR || !caller.subject().equals(subscriber)) {
                throw denied("subscriber_id must be the connector the access token was issued to");
            }
            ConnectorRecord connector = store.current().connectors().get(subscriber);
            if (connector == null) {
                throw denied("connector " + subscriber + " is not placed in any remote network (deleted?)");
            }
            String network = connector.networkId();
            if (request.getRemoteNetworkIdsCount() > 1
                    || (request.getRemoteNetworkIdsCount() == 1 && !request.getRemoteNetworkIds(0).equals(network))) {
                throw denied("a connector receives its own remote network only (" + network + ")");
            }
            return new PolicyStreams.Scope(Set.of(network), Optional.of(subscriber));
        }
        if (request.getSubscriberKind() == SubscriberKind.SUBSCRIBER_KIND_RELAY) {
            if (!callers.isRelay(caller) && !callers.isAdmin(caller)) {
                throw denied("only relay service accounts (zerogate.policy.stream.relay-service-accounts) and admins may "
                        + "subscribe as a relay");
            }
            return new PolicyStreams.Scope(Set.copyOf(request.getRemoteNetworkIdsList()), Optional.empty());
        }
        throw PolicyError.invalid("subscriber_kind", "is required: SUBSCRIBER_KIND_RELAY or SUBSCRIBER_KIND_CONNECTOR");
    }

    private static RuntimeException denied(String message) {
        return Status.PERMISSION_DENIED.withDescription(message).asRuntimeException();
    }

    private static Throwable toStatus(Throwable failure) {
        if (failure instanceof PolicyStreams.StreamEnded ended) {
            return GrpcErrors.toStatus(new PolicyError(ended.kind(), "", ended.getMessage()));
        }
        return GrpcErrors.toStatus(failure);
    }
}
