package dev.zerogate.policy.identity;

import dev.zerogate.policy.RevocationRecord;
import dev.zerogate.policy.service.PolicyChanges;
import dev.zerogate.policy.store.PolicyStore;
import dev.zerogate.proto.ProtoTime;
import dev.zerogate.proto.identity.v1.IdentityEventsServiceGrpc;
import dev.zerogate.proto.identity.v1.RevocationEvent;
import dev.zerogate.proto.identity.v1.WatchRevocationsRequest;
import dev.zerogate.proto.identity.v1.WatchRevocationsResponse;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

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

    private final IdentityConnection identity;
    private final PolicyStore store;
    private final PolicyChanges changes;
    private final Vertx vertx;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile Duration nextRetry = FIRST_RETRY;
    private volatile Context.CancellableContext watching;
    /** Entries are recorded one after another, in log order. */
    private Uni<Void> applying = Uni.createFrom().voidItem().memoize().indefinitely();

    IdentityRevocationFeed(IdentityConnection identity, PolicyStore store, PolicyChanges changes, Vertx vertx) {
        this.identity = identity;
        this.store = store;
        this.changes = changes;
        this.vertx = vertx;
    }

    void onStart(@Observes StartupEvent event) {
        if (!identity.configured()) {
            Log.warn("zerogate.policy.identity.client-id/client-secret are not set: revocations made in identity-svc will not "
                    + "reach relays and connectors through the policy stream, and device posture is unknown to decisions");
            return;
        }
        connect();
    }

    void onStop(@Observes ShutdownEvent event) {
        stopped.set(true);
        Context.CancellableContext current = watching;
        if (current != null) {
            current.cancel(null);
        }
    }

    private void connect() {
        if (stopped.get()) {
            return;
        }
        identity.forgetToken();
        identity.accessToken().chain(token -> store.lastIdentityRevocation().map(after -> new Object[] {token, after}))
                .subscribe().with(start -> watch((String) start[0], (Long) start[1]), this::retryLater);
    }

    private void watch(String token, long after) {
        Log.infof("following identity-svc's revocation log after sequence %d", after);
        Context.CancellableContext context = Context.current().withCancellation();
        watching = context;
        context.run(() -> identity.withToken(IdentityEventsServiceGrpc.newStub(identity.channel()), token)
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
                }));
    }

    private synchronized void record(RevocationEvent event) {
        RevocationRecord revocation = toPolicy(event);
        long sequence = event.getSequence();
        applying = applying.chain(() -> store.write(w -> w.identityRevocationRecorded(sequence)
                        .chain(recorded -> recorded ? Uni.createFrom().voidItem() : changes.revoke(w, revocation, sequence))))
                .onFailure().invoke(e -> Log.errorf("recording identity revocation %d failed: %s", sequence, e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid()
                .memoize().indefinitely();
        applying.subscribe().with(ignored -> { });
    }

    private static RevocationRecord toPolicy(RevocationEvent event) {
        String reason = truncate(event.getDetail().isEmpty() ? event.getReason() : event.getReason() + ": " + event.getDetail(), 500);
        var revokedAt = ProtoTime.instant(event.getRevokedAt());
        return switch (event.getSubjectCase()) {
            case USER_ID -> new RevocationRecord(RevocationRecord.Target.USER, event.getUserId(), revokedAt, reason);
            case DEVICE_ID -> new RevocationRecord(RevocationRecord.Target.DEVICE, event.getDeviceId(), revokedAt, reason);
            case SESSION_ID -> new RevocationRecord(RevocationRecord.Target.SESSION, event.getSessionId(), revokedAt, reason);
            case SERVICE_ACCOUNT_ID -> new RevocationRecord(RevocationRecord.Target.SERVICE_ACCOUNT, event.getServiceAccountId(),
                    revokedAt, reason);
            case CONNECTOR_ID -> new RevocationRecord(RevocationRecord.Target.CONNECTOR, event.getConnectorId(), revokedAt, reason);
            case SUBJECT_NOT_SET -> throw new IllegalArgumentException("identity revocation " + event.getSequence() + " has no subject");
        };
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
