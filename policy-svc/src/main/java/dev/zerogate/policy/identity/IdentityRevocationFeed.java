package dev.zerogate.policy.identity;

import dev.zerogate.policy.config.PolicyConfig;
import dev.zerogate.policy.service.PolicyAdministration;
import dev.zerogate.policy.store.PolicyStore;
import dev.zerogate.proto.identity.v1.IdentityEventsServiceGrpc;
import dev.zerogate.proto.identity.v1.RevocationEvent;
import dev.zerogate.proto.identity.v1.WatchRevocationsRequest;
import dev.zerogate.proto.identity.v1.WatchRevocationsResponse;
import dev.zerogate.proto.policy.v1.Revocation;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Follows identity-svc's revocation log ({@code IdentityEventsService.WatchRevocations}) and
 * records each entry as a policy revocation, so that it reaches relays and connectors in the
 * policy stream and policy-svc itself refuses the revoked tokens.
 *
 * <p>Every replica follows the log; an entry is recorded once (its identity sequence is unique
 * in the revocations table, checked under the store's write lock), so replicas need no leader.
 * After a failure the feed signs in again (client credentials) and resumes after the newest
 * identity sequence recorded, with exponential backoff from 1 s to 30 s, jittered.
 */
@ApplicationScoped
public class IdentityRevocationFeed {

    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration MAX_RETRY = Duration.ofSeconds(30);

    private final PolicyConfig config;
    private final PolicyStore store;
    private final PolicyAdministration admin;
    private final Pool pool;
    private final Vertx vertx;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicReference<ManagedChannel> channel = new AtomicReference<>();
    private volatile Duration nextRetry = FIRST_RETRY;
    /** Entries are recorded one after another, in log order. */
    private Uni<Void> applying = Uni.createFrom().voidItem().memoize().indefinitely();
    private WebClient http;

    IdentityRevocationFeed(PolicyConfig config, PolicyStore store, PolicyAdministration admin, Pool pool, Vertx vertx) {
        this.config = config;
        this.store = store;
        this.admin = admin;
        this.pool = pool;
        this.vertx = vertx;
    }

    void onStart(@Observes StartupEvent event) {
        if (config.identity().clientId().isEmpty() || config.identity().clientSecret().isEmpty()) {
            Log.warn("zerogate.policy.identity.client-id/client-secret are not set: revocations made in identity-svc will not "
                    + "reach relays and connectors through the policy stream");
            return;
        }
        http = WebClient.create(vertx);
        connect();
    }

    void onStop(@Observes ShutdownEvent event) {
        stopped.set(true);
        ManagedChannel open = channel.getAndSet(null);
        if (open != null) {
            open.shutdownNow();
        }
    }

    private void connect() {
        if (stopped.get()) {
            return;
        }
        signIn().chain(token -> lastRecorded().map(after -> new Object[] {token, after}))
                .subscribe().with(start -> watch((String) start[0], (Long) start[1]), this::retryLater);
    }

    /** The client-credentials grant at identity-svc's token endpoint. */
    private Uni<String> signIn() {
        String url = config.identity().url().replaceAll("/+$", "") + "/oauth2/token";
        return http.postAbs(url).basicAuthentication(config.identity().clientId().get(), config.identity().clientSecret().get())
                .sendForm(io.vertx.mutiny.core.MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials"))
                .map(response -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("identity-svc refused policy-svc's client credentials (HTTP "
                                + response.statusCode() + ")");
                    }
                    return new JsonObject(response.bodyAsString()).getString("access_token");
                });
    }

    private Uni<Long> lastRecorded() {
        return pool.query("SELECT coalesce(max(identity_sequence), 0) FROM revocations").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }

    private void watch(String token, long after) {
        URI identity = URI.create(config.identity().url());
        int port = identity.getPort() > 0 ? identity.getPort() : identity.getScheme().equals("https") ? 443 : 80;
        ManagedChannelBuilder<?> builder = ManagedChannelBuilder.forAddress(identity.getHost(), port);
        ManagedChannel opened = (identity.getScheme().equals("https") ? builder.useTransportSecurity() : builder.usePlaintext()).build();
        ManagedChannel previous = channel.getAndSet(opened);
        if (previous != null) {
            previous.shutdownNow();
        }
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        Log.infof("following identity-svc's revocation log after sequence %d", after);
        IdentityEventsServiceGrpc.newStub(opened).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .watchRevocations(WatchRevocationsRequest.newBuilder().setAfterSequence(after).build(), new StreamObserver<>() {
                    @Override
                    public void onNext(WatchRevocationsResponse response) {
                        nextRetry = FIRST_RETRY;
                        if (response.hasRevocation()) {
                            record(response.getRevocation());
                        }
                    }

                    @Override
                    public void onError(Throwable failure) {
                        retryLater(failure);
                    }

                    @Override
                    public void onCompleted() {
                        retryLater(new IllegalStateException("identity-svc ended the revocation stream"));
                    }
                });
    }

    private synchronized void record(RevocationEvent event) {
        Revocation revocation = toPolicy(event);
        long sequence = event.getSequence();
        applying = applying.chain(() -> store.write(w -> w.execute("SELECT 1 FROM revocations WHERE identity_sequence = $1", sequence)
                        .chain(rows -> rows.size() > 0 ? Uni.createFrom().voidItem() : admin.revoke(w, revocation, sequence))))
                .onFailure().invoke(e -> Log.errorf("recording identity revocation %d failed: %s", sequence, e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid()
                .memoize().indefinitely();
        applying.subscribe().with(ignored -> { });
    }

    private static Revocation toPolicy(RevocationEvent event) {
        Revocation.Builder revocation = Revocation.newBuilder().setRevokedAt(event.getRevokedAt())
                .setReason(truncate(event.getDetail().isEmpty() ? event.getReason() : event.getReason() + ": " + event.getDetail(), 500));
        switch (event.getSubjectCase()) {
            case USER_ID -> revocation.setUserId(event.getUserId());
            case DEVICE_ID -> revocation.setDeviceId(event.getDeviceId());
            case SESSION_ID -> revocation.setSessionId(event.getSessionId());
            case SERVICE_ACCOUNT_ID -> revocation.setServiceAccountId(event.getServiceAccountId());
            case CONNECTOR_ID -> revocation.setConnectorId(event.getConnectorId());
            case SUBJECT_NOT_SET -> throw new IllegalArgumentException("identity revocation " + event.getSequence() + " has no subject");
        }
        return revocation.build();
    }

    private static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }

    private void retryLater(Throwable failure) {
        if (stopped.get()) {
            return;
        }
        Duration wait = nextRetry;
        nextRetry = wait.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait.multipliedBy(2);
        long jittered = wait.toMillis() / 2 + ThreadLocalRandom.current().nextLong(wait.toMillis() / 2 + 1);
        Log.warnf("identity-svc's revocation log is not followed (%s); trying again in %d ms", failure.toString(), jittered);
        vertx.setTimer(Math.max(jittered, 1), id -> connect());
    }
}
