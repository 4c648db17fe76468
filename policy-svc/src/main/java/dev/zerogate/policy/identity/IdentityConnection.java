package dev.zerogate.policy.identity;

import dev.zerogate.policy.config.PolicyConfig;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * policy-svc as a client of identity-svc: one gRPC channel, and an access token of policy-svc's
 * service account (client credentials), fetched again a minute before it expires. Configured
 * by {@code zerogate.policy.identity.client-id} and {@code client-secret}; without them
 * {@link #configured()} is false and nothing here is used.
 */
@ApplicationScoped
public class IdentityConnection {

    private static final Duration REFRESH_BEFORE_EXPIRY = Duration.ofMinutes(1);

    private record Token(String value, Instant expiresAt) {}

    private final PolicyConfig config;
    private final Vertx vertx;
    private final Clock clock;
    private volatile Token token;
    private volatile ManagedChannel channel;
    private WebClient http;

    IdentityConnection(PolicyConfig config, Vertx vertx, Clock clock) {
        this.config = config;
        this.vertx = vertx;
        this.clock = clock;
    }

    public boolean configured() {
        return config.identity().clientId().isPresent() && config.identity().clientSecret().isPresent();
    }

    /** A valid access token of policy-svc's service account. */
    public Uni<String> accessToken() {
        Token current = token;
        if (current != null && current.expiresAt().minus(REFRESH_BEFORE_EXPIRY).isAfter(clock.instant())) {
            return Uni.createFrom().item(current.value());
        }
        return signIn().map(fresh -> {
            token = fresh;
            return fresh.value();
        });
    }

    /** Forgets the token, e.g. after identity-svc refused it. */
    public void forgetToken() {
        token = null;
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
            ManagedChannelBuilder<?> builder = ManagedChannelBuilder.forAddress(identity.getHost(), port);
            channel = (tls ? builder.useTransportSecurity() : builder.usePlaintext()).build();
        }
        return channel;
    }

    void onStop(@Observes ShutdownEvent event) {
        ManagedChannel open = channel;
        if (open != null) {
            open.shutdownNow();
        }
    }

    /** The client-credentials grant at identity-svc's token endpoint. */
    private Uni<Token> signIn() {
        if (http == null) {
            http = WebClient.create(vertx);
        }
        String url = config.identity().url().replaceAll("/+$", "") + "/oauth2/token";
        Instant asked = clock.instant();
        return http.postAbs(url).basicAuthentication(config.identity().clientId().orElseThrow(), config.identity().clientSecret().orElseThrow())
                .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials"))
                .map(response -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("identity-svc refused policy-svc's client credentials (HTTP "
                                + response.statusCode() + ")");
                    }
                    JsonObject body = new JsonObject(response.bodyAsString());
                    return new Token(body.getString("access_token"), asked.plusSeconds(body.getLong("expires_in", 300L)));
                });
    }
}
