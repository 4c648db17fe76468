package dev.zerogate.connector.policy;

import dev.zerogate.proto.policy.v1.PolicyStreamServiceGrpc;
import dev.zerogate.proto.policy.v1.SubscriberKind;
import dev.zerogate.proto.policy.v1.WatchPolicyRequest;
import dev.zerogate.proto.policy.v1.WatchPolicyResponse;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Follows {@code PolicyStreamService.WatchPolicy} as this connector and feeds a {@link PolicyMirror}:
 * one call at a time, with the connector's current access token ({@code authorization: Bearer},
 * read from the supplier for every call, so a rotated token is used on the next one).
 *
 * <ul>
 *   <li>The first call asks for a snapshot (position 0); later calls resume after the mirror's
 *       position, so a reconnect sends only what was missed.
 *   <li>ResyncRequired: the mirror keeps enforcing its copy and the next call, at once, asks for
 *       a snapshot.
 *   <li>Any other end of the call (an error, the server closing, a protocol violation, no event
 *       for {@code idleTimeout}: keep-alives come every 30 s) reconnects after an exponential
 *       backoff: {@code initialBackoff} doubling to {@code maxBackoff}, each delay drawn between
 *       half and all of it. A call that applied something or got a keep-alive resets it.
 * </ul>
 *
 * <p>The connector accepts no flow before {@link #isSynced()}: the first snapshot is in force.
 * Thread-safe. The channel (TLS, target) belongs to the caller.
 */
public final class PolicyStreamClient implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PolicyStreamClient.class);
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /**
     * Timing of reconnects.
     *
     * @param initialBackoff the first delay after a failed call (1 s by the protocol)
     * @param maxBackoff     the longest delay (30 s by the protocol)
     * @param idleTimeout    a call with no event for this long is dead (3 keep-alive intervals)
     */
    public record Settings(Duration initialBackoff, Duration maxBackoff, Duration idleTimeout) {
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(90));

        public Settings {
            if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0
                    || idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("backoff must be positive with max >= initial, idle timeout positive");
            }
        }
    }

    private final Channel channel;
    private final String connectorId;
    private final String networkId;
    private final Supplier<String> accessToken;
    private final PolicyMirror mirror;
    private final Settings settings;
    private final ScheduledExecutorService scheduler;

    /** Guarded by this: the call in progress, or null between calls. */
    private Call current;
    /** Guarded by this: calls ended in a row without progress. */
    private int failures;
    /** Guarded by this. */
    private ScheduledFuture<?> reconnect;
    /** Guarded by this. */
    private ScheduledFuture<?> watchdog;
    /** Guarded by this. */
    private boolean started;
    /** Guarded by this. */
    private boolean closed;

    /**
     * @param channel     to policy-svc
     * @param connectorId this connector (UUID): the subscriber id, as its access token says
     * @param networkId   its remote network (UUID): the scope it asks for
     * @param accessToken the connector's current access token; may throw or return null/empty while it has none
     */
    public PolicyStreamClient(Channel channel, String connectorId, String networkId, Supplier<String> accessToken,
                              PolicyMirror mirror, Settings settings) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.connectorId = Objects.requireNonNull(connectorId, "connectorId");
        this.networkId = Objects.requireNonNull(networkId, "networkId");
        this.accessToken = Objects.requireNonNull(accessToken, "accessToken");
        this.mirror = Objects.requireNonNull(mirror, "mirror");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "policy-stream");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Opens the first call. */
    public synchronized void start() {
        if (started || closed) {
            return;
        }
        started = true;
        long every = Math.max(1, settings.idleTimeout().toMillis() / 4);
        watchdog = scheduler.scheduleAtFixedRate(this::checkIdle, every, every, TimeUnit.MILLISECONDS);
        connect();
    }

    /** Whether the first snapshot is in force (readiness: no flow is accepted before). */
    public boolean isSynced() {
        return mirror.isSynced();
    }

    /** The position of the copy in force: the sequence a reconnect resumes after. */
    public long position() {
        return mirror.view().position();
    }

    /** The newest sequence policy-svc has reported; {@code headSequence() - position()} is how far behind the copy is. */
    public long headSequence() {
        return mirror.headSequence();
    }

    /** Ends the call in progress and makes no more. The mirror keeps its last view. */
    @Override
    public void close() {
        Call ending;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            ending = current;
            current = null;
            if (reconnect != null) {
                reconnect.cancel(false);
            }
            if (watchdog != null) {
                watchdog.cancel(false);
            }
        }
        if (ending != null) {
            ending.cancel("the connector is closing the policy stream");
        }
        scheduler.shutdownNow();
    }

    private synchronized void connect() {
        reconnect = null;
        if (closed) {
            return;
        }
        String token;
        try {
            token = accessToken.get();
        } catch (RuntimeException e) {
            LOG.warnf("policy stream: no access token (%s); trying again later", e.toString());
            token = null;
        }
        if (token == null || token.isEmpty()) {
            failures++;
            scheduleConnect(backoff());
            return;
        }
        long resumeAfter = mirror.resumeAfter();
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        Call call = new Call(resumeAfter);
        current = call;
        LOG.debugf("policy stream: calling WatchPolicy, resume after %d", resumeAfter);
        PolicyStreamServiceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .watchPolicy(WatchPolicyRequest.newBuilder().setSubscriberKind(SubscriberKind.SUBSCRIBER_KIND_CONNECTOR)
                        .setSubscriberId(connectorId).addRemoteNetworkIds(networkId).setResumeAfterSequence(resumeAfter).build(), call);
    }

    private void ended(Call call, Status status) {
        synchronized (this) {
            if (current != call || closed) {
                return;
            }
        }
        // Outside this lock (the mirror's lock is held while listeners run); no new call starts
        // meanwhile, as only this method schedules one.
        mirror.abandonSnapshot();
        synchronized (this) {
            if (current != call || closed) {
                return;
            }
            current = null;
            Duration delay;
            if (call.progress) {
                failures = 0;
            }
            if (call.resync && failures == 0) {
                // Asked for at once by the protocol; a second resync in a row backs off.
                failures = 1;
                delay = Duration.ZERO;
            } else {
                failures++;
                delay = backoff();
            }
            if (call.resync) {
                LOG.infof("policy stream: asking for a new snapshot in %d ms", delay.toMillis());
            } else if (status.getCode() == Status.Code.UNAUTHENTICATED || status.getCode() == Status.Code.PERMISSION_DENIED) {
                LOG.warnf("policy stream refused (%s: %s); trying again in %d ms with the token then current", status.getCode(),
                        status.getDescription(), delay.toMillis());
            } else {
                LOG.infof("policy stream ended (%s%s); resuming after %d in %d ms", status.getCode(),
                        status.getDescription() == null ? "" : ": " + status.getDescription(), mirror.resumeAfter(), delay.toMillis());
            }
            scheduleConnect(delay);
        }
    }

    /** Guarded by this. */
    private void scheduleConnect(Duration delay) {
        if (!closed) {
            reconnect = scheduler.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Guarded by this: initial × 2^(failures-1), at most max, then between half and all of it. */
    private Duration backoff() {
        long initial = settings.initialBackoff().toMillis();
        long max = settings.maxBackoff().toMillis();
        long base = initial;
        for (int i = 1; i < failures && base < max; i++) {
            base *= 2;
        }
        base = Math.min(base, max);
        return Duration.ofMillis(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
    }

    private void checkIdle() {
        Call call;
        synchronized (this) {
            call = current;
        }
        if (call != null && System.nanoTime() - call.lastEventNanos > settings.idleTimeout().toNanos()) {
            LOG.warnf("policy stream: no event for %d ms; reconnecting", settings.idleTimeout().toMillis());
            call.cancel("no event for " + settings.idleTimeout().toMillis() + " ms");
        }
    }

    /** One WatchPolicy call. Callbacks of one call never run concurrently. */
    private final class Call implements ClientResponseObserver<WatchPolicyRequest, WatchPolicyResponse> {
        private final long resumeAfter;
        private volatile ClientCallStreamObserver<WatchPolicyRequest> requests;
        private volatile long lastEventNanos = System.nanoTime();
        private volatile boolean cancelled;
        /** Whether this call applied a change or snapshot, or got a keep-alive. */
        private volatile boolean progress;
        private volatile boolean resync;

        Call(long resumeAfter) {
            this.resumeAfter = resumeAfter;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<WatchPolicyRequest> requestStream) {
            requests = requestStream;
        }

        @Override
        public void onNext(WatchPolicyResponse response) {
            if (cancelled) {
                return;
            }
            lastEventNanos = System.nanoTime();
            try {
                switch (mirror.apply(response)) {
                    case CHANGED, SKIPPED, KEEP_ALIVE -> progress = true;
                    case RESYNC_REQUIRED -> resync = true;
                    case BUFFERED -> {
                        // Progress once the snapshot is complete.
                    }
                }
            } catch (PolicyStreamException e) {
                LOG.warnf("policy stream (resumed after %d) broke the protocol: %s; reconnecting", resumeAfter, e.getMessage());
                cancel("protocol violation: " + e.getMessage());
            } catch (RuntimeException e) {
                LOG.errorf(e, "policy stream: applying an event failed; reconnecting");
                cancel("the connector could not apply an event");
            }
        }

        @Override
        public void onError(Throwable t) {
            ended(this, Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            ended(this, Status.OK);
        }

        void cancel(String why) {
            cancelled = true;
            ClientCallStreamObserver<WatchPolicyRequest> stream = requests;
            if (stream != null) {
                stream.cancel(why, null);
            }
        }
    }
}
