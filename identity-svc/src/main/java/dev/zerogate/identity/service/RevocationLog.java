package dev.zerogate.identity.service;

import dev.zerogate.identity.Revocation;
import dev.zerogate.identity.Revocation.SubjectKind;
import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.identity.repository.RevocationRepository;
import dev.zerogate.servicekit.token.VerifiedAccessToken;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Revocations: written to the ordered log in the transaction of the change they announce,
 * and mirrored in memory on every replica so that a revoked token is refused without a
 * database round trip. Each replica catches up with the log every second (and right after
 * its own writes), so a revocation made through any replica is enforced by all within about
 * a second. Listeners (the revocation stream) are told of each new entry in sequence order.
 *
 * <p>Session revocations are dropped from memory once every access token of the session
 * has expired: the session itself can no longer refresh (that is checked in the database).
 * Users, devices, service accounts and connectors stay revoked for good.
 */
@ApplicationScoped
public class RevocationLog {

    private static final int BATCH = 1000;

    private final RevocationRepository log;
    private final IdentityConfig config;
    private final Clock clock;
    private final Map<String, Instant> revoked = new ConcurrentHashMap<>();
    private final List<Consumer<Revocation>> listeners = new CopyOnWriteArrayList<>();
    private volatile long lastSequence;

    RevocationLog(RevocationRepository log, IdentityConfig config, Clock clock) {
        this.log = log;
        this.config = config;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent event) throws Throwable {
        VertxContextSupport.subscribeAndAwait(this::catchUp);
        Log.infof("revocations loaded up to sequence %d", lastSequence);
    }

    /**
     * Appends a revocation; call inside the transaction that makes the change, then
     * {@link #catchUp()} after it commits.
     */
    public Uni<Revocation> append(SubjectKind kind, UUID subjectId, String reason, String detail) {
        Revocation revocation = new Revocation();
        revocation.subjectKind = kind;
        revocation.subjectId = subjectId;
        revocation.revokedAt = Times.utcNow(clock);
        revocation.reason = reason;
        revocation.detail = detail == null || detail.length() <= 500 ? detail : detail.substring(0, 500);
        return log.append(revocation);
    }

    /** Whether the token's user, service account, connector, session or device is revoked. */
    public boolean revokes(VerifiedAccessToken token) {
        SubjectKind subjectKind = switch (token.kind()) {
            case USER -> SubjectKind.USER;
            case SERVICE_ACCOUNT -> SubjectKind.SERVICE_ACCOUNT;
            case CONNECTOR -> SubjectKind.CONNECTOR;
        };
        return isRevoked(subjectKind, token.subject())
                || isRevoked(SubjectKind.SESSION, token.sessionId())
                || token.deviceId().map(device -> isRevoked(SubjectKind.DEVICE, device)).orElse(false);
    }

    public boolean isRevoked(SubjectKind kind, String id) {
        return revoked.containsKey(key(kind, id));
    }

    /** The newest sequence this replica has applied. */
    public long lastSequence() {
        return lastSequence;
    }

    /** Entries after {@code sequence}, oldest first, at most {@code limit}. */
    public Uni<List<Revocation>> after(long sequence, int limit) {
        return Panache.withSession(() -> log.after(sequence, limit));
    }

    /** Tells {@code listener} of every entry applied from now on; returns the way to stop. */
    public Runnable listen(Consumer<Revocation> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Applies every entry committed since the last one seen, by any replica. */
    @Scheduled(every = "1s", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public Uni<Void> catchUp() {
        return after(lastSequence, BATCH).chain(batch -> {
            batch.forEach(this::apply);
            return batch.size() == BATCH ? catchUp() : Uni.createFrom().voidItem();
        });
    }

    @Scheduled(every = "1m", delayed = "1m")
    void forgetExpiredSessionRevocations() {
        Instant horizon = clock.instant().minus(config.tokens().accessTokenLifetime()).minus(Duration.ofMinutes(1));
        revoked.entrySet().removeIf(entry -> entry.getKey().startsWith(SubjectKind.SESSION + ":") && entry.getValue().isBefore(horizon));
    }

    /** Synchronized: catch-ups may overlap (the schedule and a writer's own); each entry applies once, in order. */
    private synchronized void apply(Revocation revocation) {
        if (revocation.sequence <= lastSequence) {
            return;
        }
        revoked.putIfAbsent(key(revocation.subjectKind, revocation.subjectId.toString()), revocation.revokedAt.toInstant());
        lastSequence = revocation.sequence;
        for (Consumer<Revocation> listener : listeners) {
            try {
                listener.accept(revocation);
            } catch (RuntimeException e) {
                Log.warnf("a revocation listener failed: %s", e.toString());
            }
        }
    }

    private static String key(SubjectKind kind, String id) {
        return kind + ":" + id;
    }
}
