package dev.zerogate.relay.client;

import dev.zerogate.proto.policy.v1.ConnectorStateServiceGrpc;
import dev.zerogate.proto.policy.v1.ReportConnectorsRequest;
import dev.zerogate.relay.config.RelayConfig;
import dev.zerogate.relay.service.ControlPlaneTrust;
import dev.zerogate.relay.service.GrpcChannels;
import dev.zerogate.servicekit.token.ClientCredentialsTokens;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * policy-svc's {@code ConnectorStateService} as the relay calls it: with the access token of the
 * relay's service account ({@code zerogate.relay.identity.client-id}/{@code client-secret},
 * service-kit's {@link ClientCredentialsTokens}) and a deadline. Without those credentials
 * {@link #configured()} is false and nothing here is used.
 */
@ApplicationScoped
public class ConnectorStateClient {

    /** How long one report may take, sign-in not included. */
    static final Duration DEADLINE = Duration.ofSeconds(5);
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final RelayConfig config;
    private final ControlPlaneTrust trust;
    private final ClientCredentialsTokens tokens;
    /** Opened on the first report; guarded by {@code this}. */
    private ManagedChannel channel;

    ConnectorStateClient(RelayConfig config, ControlPlaneTrust trust, Vertx vertx, Clock clock) {
        this.config = config;
        this.trust = trust;
        this.tokens = configured() ? ClientCredentialsTokens.atTokenEndpoint(vertx,
                new WebClientOptions().setTrustOptions(TrustOptions.wrap(trust.trustManager())), config.identityUrl(),
                config.identity().clientId().orElseThrow(), config.identity().clientSecret().orElseThrow(), "relay-svc", clock) : null;
    }

    /** Whether the relay has a service-account key to report with. */
    public boolean configured() {
        return config.identity().clientId().filter(id -> !id.isBlank()).isPresent()
                && config.identity().clientSecret().filter(secret -> !secret.isBlank()).isPresent();
    }

    /**
     * Replaces this relay's report at policy-svc. Fails with the sign-in's failure or the call's
     * status; after UNAUTHENTICATED the token is forgotten, so the next report signs in again.
     */
    public Uni<Void> report(ReportConnectorsRequest request) {
        return tokens.accessToken()
                .chain(token -> {
                    Metadata headers = new Metadata();
                    headers.put(AUTHORIZATION, "Bearer " + token);
                    var stub = ConnectorStateServiceGrpc.newFutureStub(channel())
                            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                            .withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
                    return Uni.createFrom().completionStage(() -> GrpcChannels.toStage(stub.reportConnectors(request)));
                })
                .onFailure(StatusRuntimeException.class).invoke(failure -> {
                    if (((StatusRuntimeException) failure).getStatus().getCode() == Status.Code.UNAUTHENTICATED) {
                        tokens.forget();
                    }
                })
                .replaceWithVoid()
                // Belt and braces: the sign-in and the call each have their own timeout.
                .ifNoItem().after(DEADLINE.plus(ClientCredentialsTokens.SIGN_IN_TIMEOUT)).fail();
    }

    private synchronized ManagedChannel channel() {
        if (channel == null) {
            channel = GrpcChannels.forUrl(config.policyUrl(), trust);
        }
        return channel;
    }

    @PreDestroy
    synchronized void close() {
        if (channel != null) {
            channel.shutdownNow();
        }
    }
}
