package dev.zerogate.policy.service;

import dev.zerogate.policy.GroupRecord;
import dev.zerogate.policy.ResourceRecord;
import dev.zerogate.policy.RevocationRecord;
import dev.zerogate.policy.RuleRecord;
import dev.zerogate.policy.StreamEvent;
import dev.zerogate.policy.config.PolicyConfig;
import dev.zerogate.policy.engine.model.GroupSource;
import dev.zerogate.policy.store.LogEntry;
import dev.zerogate.policy.store.PolicyState;
import dev.zerogate.policy.store.PolicyStore;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureFailure;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The live policy stream: a snapshot of what is in a subscriber's scope, then every change in
 * commit order, from this replica's tail of the shared policy_log (so a change committed
 * through any replica reaches every subscriber of every replica; see {@link PolicyStore}).
 *
 * <p>A subscription registers for new log entries and takes the state they follow in one step,
 * so nothing falls between the snapshot (or the resumed history read from PostgreSQL) and the
 * live entries: those that arrive meanwhile wait in a queue and are sent after.
 */
@ApplicationScoped
public class PolicyStreams {

    private static final int HISTORY_BATCH = 500;

    /**
     * What a subscriber receives.
     *
     * @param networkIds the remote networks in scope; empty = every network (relays only)
     * @param connectorId the subscribing connector, whose revocation ends the stream; empty for relays
     */
    public record Scope(Set<String> networkIds, Optional<String> connectorId) {

        boolean all() {
            return networkIds.isEmpty();
        }

        boolean includesAny(Set<String> networks) {
            return all() ? !networks.isEmpty() : networks.stream().anyMatch(networkIds::contains);
        }
    }

    /** Why a stream ended early; the adapter maps it to a status. */
    public static final class StreamEnded extends RuntimeException {
        private final PolicyError.Kind kind;

        StreamEnded(PolicyError.Kind kind, String message) {
            super(message);
            this.kind = kind;
        }

        public PolicyError.Kind kind() {
            return kind;
        }
    }

    private final PolicyStore store;
    private final PolicyConfig config;
    private final Clock clock;
    private final Vertx vertx;
    private final Set<Subscription> active = ConcurrentHashMap.newKeySet();

    PolicyStreams(PolicyStore store, PolicyConfig config, Clock clock, Vertx vertx) {
        this.store = store;
        this.config = config;
        this.clock = clock;
        this.vertx = vertx;
    }

    /** A stream for {@code scope}: a snapshot when {@code resumeAfter} is 0, else the changes after it. */
    public Multi<StreamEvent> watch(Scope scope, long resumeAfter) {
        return Multi.createFrom().<StreamEvent>emitter(emitter -> new Subscription(scope, emitter).start(resumeAfter))
                .onOverflow().buffer(config.stream().maxLag())
                .onFailure(BackPressureFailure.class)
                .transform(e -> new StreamEnded(PolicyError.Kind.RESOURCE_EXHAUSTED, "you fell more than " + config.stream().maxLag()
                        + " events behind: reconnect and resume from the last sequence you applied"));
    }

    void onShutdown(@Observes ShutdownEvent event) {
        for (Subscription subscription : List.copyOf(active)) {
            subscription.end(new StreamEnded(PolicyError.Kind.UNAVAILABLE, "this replica is shutting down: reconnect and resume"));
        }
    }

    /** One subscriber's stream. Every emission goes through {@code this}'s monitor, in order. */
    private final class Subscription {
        private final Scope scope;
        private final MultiEmitter<? super StreamEvent> emitter;
        private final Deque<List<LogEntry>> waiting = new ArrayDeque<>();
        private final List<Runnable> stops = new ArrayList<>();
        private boolean live;
        private boolean ended;
        private long lastSent;
        private long head;
        private long lastEmitMillis = System.currentTimeMillis();
        private long keepAliveTimer = -1;

        Subscription(Scope scope, MultiEmitter<? super StreamEvent> emitter) {
            this.scope = scope;
            this.emitter = emitter;
        }

        void start(long resumeAfter) {
            active.add(this);
            emitter.onTermination(this::stop);
            PolicyState state = store.listenFrom(this::onEntries, stops);
            head = state.sequence();
            long interval = config.stream().keepAliveInterval().toMillis();
            keepAliveTimer = vertx.setPeriodic(interval, id -> keepAlive(interval));
            if (resumeAfter == 0) {
                sendSnapshot(state);
                goLive(state.sequence());
                return;
            }
            if (resumeAfter > state.sequence()) {
                resync(0, state.sequence(), "sequence " + resumeAfter + " is newer than the head " + state.sequence()
                        + " (was the database restored?): start again from 0");
                return;
            }
            store.prunedThrough().subscribe().with(pruned -> {
                if (resumeAfter < pruned) {
                    resync(pruned + 1, state.sequence(), "sequence " + resumeAfter + " is older than the retained log: start again from 0");
                } else {
                    sendHistory(resumeAfter, state.sequence());
                }
            }, this::end);
        }

        /** Changes in (after, until] from PostgreSQL, then live. */
        private void sendHistory(long after, long until) {
            store.entriesAfter(after, HISTORY_BATCH).subscribe().with(entries -> {
                List<LogEntry> upTo = entries.stream().filter(e -> e.sequence() <= until).toList();
                synchronized (this) {
                    upTo.forEach(this::sendEntry);
                }
                boolean more = entries.size() == HISTORY_BATCH && upTo.size() == entries.size();
                if (more) {
                    sendHistory(upTo.get(upTo.size() - 1).sequence(), until);
                } else {
                    goLive(until);
                }
            }, this::end);
        }

        private synchronized void goLive(long sentThrough) {
            lastSent = Math.max(lastSent, sentThrough);
            live = true;
            while (!waiting.isEmpty() && !ended) {
                waiting.poll().forEach(this::sendEntry);
            }
        }

        private synchronized void onEntries(List<LogEntry> entries, PolicyState after) {
            head = after.sequence();
            if (ended) {
                return;
            }
            if (!live) {
                waiting.add(entries);
                return;
            }
            entries.forEach(this::sendEntry);
        }

        private synchronized void sendSnapshot(PolicyState state) {
            List<StreamEvent> items = new ArrayList<>();
            for (var stored : state.resources().values()) {
                ResourceRecord resource = stored.record();
                if (inScope(Set.of(resource.networkId()))) {
                    items.add(item(resource.changeSequence(), new StreamEvent.ResourceUpserted(resource)));
                }
            }
            for (var stored : state.rules().values()) {
                RuleRecord rule = stored.record();
                if (inScope(state.networksOf(rule))) {
                    items.add(item(rule.changeSequence(), new StreamEvent.RuleUpserted(rule)));
                }
            }
            for (var stored : state.groups().values()) {
                items.add(item(stored.record().changeSequence(), membership(stored.record())));
            }
            for (var stored : state.revocations().values()) {
                items.add(item(stored.changeSequence(), new StreamEvent.Revoked(stored.revocation())));
            }
            items.sort(Comparator.comparingLong(StreamEvent::sequence));
            emit(marker(new StreamEvent.SnapshotBegin(state.sequence(), items.size())));
            items.forEach(this::emit);
            emit(marker(new StreamEvent.SnapshotEnd(state.sequence(), items.size())));
        }

        private boolean inScope(Set<String> networks) {
            return scope.includesAny(networks);
        }

        /** Sends one log entry as the subscriber's scope sees it, or nothing. */
        private void sendEntry(LogEntry entry) {
            if (entry.sequence() <= lastSent || ended) {
                return;
            }
            lastSent = entry.sequence();
            toEvent(entry).ifPresent(event -> {
                emit(event);
                if (event.body() instanceof StreamEvent.Revoked revoked && revokesSubscriber(revoked.revocation())) {
                    end(new StreamEnded(PolicyError.Kind.PERMISSION_DENIED, "this connector was revoked: "
                            + revoked.revocation().reason()));
                }
            });
        }

        private boolean revokesSubscriber(RevocationRecord revocation) {
            return revocation.target() == RevocationRecord.Target.CONNECTOR
                    && scope.connectorId().map(id -> revocation.subjectId().equals(id)).orElse(false);
        }

        private Optional<StreamEvent> toEvent(LogEntry entry) {
            Predicate<Set<String>> in = this::inScope;
            Optional<StreamEvent.Body> body = switch (entry.kind()) {
                case RESOURCE_UPSERTED -> {
                    ResourceRecord resource = (ResourceRecord) entry.payload();
                    if (in.test(entry.networkIds())) {
                        yield Optional.of(new StreamEvent.ResourceUpserted(resource));
                    }
                    yield in.test(entry.previousNetworkIds())
                            ? Optional.of(new StreamEvent.ResourceDeleted(resource.id(), entry.previousNetworkIds().iterator().next()))
                            : Optional.empty();
                }
                case RESOURCE_DELETED -> {
                    ResourceRecord resource = (ResourceRecord) entry.payload();
                    yield in.test(entry.previousNetworkIds())
                            ? Optional.of(new StreamEvent.ResourceDeleted(resource.id(), resource.networkId()))
                            : Optional.empty();
                }
                case RULE_UPSERTED -> {
                    RuleRecord rule = (RuleRecord) entry.payload();
                    if (in.test(entry.networkIds())) {
                        yield Optional.of(new StreamEvent.RuleUpserted(rule));
                    }
                    yield in.test(entry.previousNetworkIds()) ? Optional.of(new StreamEvent.RuleDeleted(rule.id())) : Optional.empty();
                }
                case RULE_DELETED -> in.test(entry.previousNetworkIds()) || scope.all()
                        ? Optional.of(new StreamEvent.RuleDeleted(entry.entityId()))
                        : Optional.empty();
                case GROUP_UPSERTED -> Optional.of(membership((GroupRecord) entry.payload()));
                case GROUP_DELETED -> Optional.of(new StreamEvent.MembershipChanged(entry.entityId(), true, GroupSource.UNSPECIFIED,
                        List.of()));
                case REVOCATION -> Optional.of(new StreamEvent.Revoked((RevocationRecord) entry.payload()));
                // Networks and connectors are not part of the enforcement points' copy.
                case NETWORK_UPSERTED, NETWORK_DELETED, CONNECTOR_UPSERTED, CONNECTOR_DELETED -> Optional.empty();
            };
            return body.map(b -> new StreamEvent(entry.sequence(), entry.committedAt(), b));
        }

        private StreamEvent.MembershipChanged membership(GroupRecord group) {
            return new StreamEvent.MembershipChanged(group.id(), false, group.spec().source(), group.spec().members());
        }

        private StreamEvent item(long sequence, StreamEvent.Body body) {
            return new StreamEvent(sequence, clock.instant(), body);
        }

        private StreamEvent marker(StreamEvent.Body body) {
            return new StreamEvent(0, clock.instant(), body);
        }

        private synchronized void resync(long oldest, long headSequence, String reason) {
            emit(marker(new StreamEvent.ResyncRequired(oldest, headSequence, reason)));
            ended = true;
            emitter.complete();
        }

        private synchronized void keepAlive(long interval) {
            if (!ended && live && System.currentTimeMillis() - lastEmitMillis >= interval - 50) {
                emit(marker(new StreamEvent.KeepAlive(head)));
            }
        }

        private void emit(StreamEvent event) {
            if (!ended) {
                lastEmitMillis = System.currentTimeMillis();
                emitter.emit(event);
            }
        }

        synchronized void end(Throwable failure) {
            if (ended) {
                return;
            }
            ended = true;
            if (!(failure instanceof StreamEnded)) {
                Log.warnf("a policy stream failed: %s", failure.toString());
            }
            emitter.fail(failure);
        }

        private void stop() {
            active.remove(this);
            if (keepAliveTimer >= 0) {
                vertx.cancelTimer(keepAliveTimer);
            }
            synchronized (this) {
                ended = true;
                Collections.reverse(stops);
                stops.forEach(Runnable::run);
                stops.clear();
            }
        }
    }
}
