package dev.zerogate.policy.identity;

import dev.zerogate.policy.config.PolicyConfig;
import dev.zerogate.servicekit.token.ClientCredentialsTokens;
import dev.zerogate.servicekit.edge.DeploymentTrust;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.net.URI;
import java.time.Clock;

/**
 * policy-svc as a client of identity-svc: one gRPC channel, and an access token of policy-svc's
 * service account (client credentials, service-kit's {@link ClientCredentialsTokens}: cached,
 * fetched again a minute before it expires). Configured by
 * {@code zerogate.policy.identity.client-id} and {@code client-secret}; without them
 * {@link #configured()} is false and nothing here is used. Over https it trusts the system's CAs
 * and {@code ZEROGATE_CA_FILE}'s ({@link DeploymentTrust}).
 */
@ApplicationScoped
public class IdentityConnection {

    private final PolicyConfig config;
    private final ClientCredentialsTokens tokens;
    private final DeploymentTrust trust;
    private volatile ManagedChannel channel;

    IdentityConnection(PolicyConfig config, Vertx vertx, Clock clock, DeploymentTrust trust) {
        this.config = config;
        this.trust = trust;
        this.tokens = configured() ? ClientCredentialsTokens.atTokenEndpoint(vertx, trust.webClientOptions(), config.identity().url(),
                config.identity().clientId().orElseThrow(), config.identity().clientSecret().orElseThrow(), "policy-svc", clock) : null;
    }

    public boolean configured() {
        return config.identity().clientId().isPresent() && config.identity().clientSecret().isPresent();
    }

    /** A valid access token of policy-svc's service account. */
    public Uni<String> accessToken() {
        return tokens.accessToken();
    }

    /** Forgets the token, e.g. after identity-svc refused it. */
    public void forgetToken() {
        tokens.forget();
    }

    /** {@code stub} on the shared channel, presenting {@code accessToken}. */
    public <S extends AbstractStub<S>> S withToken(S stub, String accessToken) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + accessToken);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** The channel to identity-svc's gRPC port, opened on first use. */
    public synchronized ManagedChannel channel() {
        if (channel == null) {
            URI identity = URI.create(config.identity().url());
            boolean tls = identity.getScheme().equals("https");
            int port = identity.getPort() > 0 ? identity.getPort() : tls ? 443 : 80;
            channel = tls
                    ? Grpc.newChannelBuilderForAddress(identity.getHost(), port,
                            TlsChannelCredentials.newBuilder().trustManager(trust.trustManager()).build()).build()
                    : ManagedChannelBuilder.forAddress(identity.getHost(), port).usePlaintext().build();
        }
        return channel;
    }

    void onStop(@Observes ShutdownEvent event) {
        ManagedChannel open = channel;
        if (open != null) {
            open.shutdownNow();
        }
    }
}
