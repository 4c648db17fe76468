package dev.zerogate.policy.service;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.zerogate.policy.config.PolicyConfig;
import dev.zerogate.policy.engine.proto.EngineMapping;
import dev.zerogate.policy.store.LogEntry;
import dev.zerogate.policy.store.PolicyState;
import dev.zerogate.policy.store.PolicyStore;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.AccessRuleDeleted;
import dev.zerogate.proto.policy.v1.AccessRuleUpserted;
import dev.zerogate.proto.policy.v1.Group;
import dev.zerogate.proto.policy.v1.GroupMembershipChanged;
import dev.zerogate.proto.policy.v1.KeepAlive;
import dev.zerogate.proto.policy.v1.PolicyEvent;
import dev.zerogate.proto.policy.v1.Resource;
import dev.zerogate.proto.policy.v1.ResourceDeleted;
import dev.zerogate.proto.policy.v1.ResourceUpserted;
import dev.zerogate.proto.policy.v1.ResyncRequired;
import dev.zerogate.proto.policy.v1.Revocation;
import dev.zerogate.proto.policy.v1.SnapshotBegin;
import dev.zerogate.proto.policy.v1.SnapshotEnd;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
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
    public Multi<PolicyEvent> watch(Scope scope, long resumeAfter) {
        return Multi.createFrom().<PolicyEvent>emitter(emitter -> new Subscription(scope, emitter).start(resumeAfter))
                .onOverflow().buffer(config.stream().maxLag())
                .onFailure(io.smallrye.mutiny.subscription.BackPressureFailure.class)
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
        private final MultiEmitter<? super PolicyEvent> emitter;
        private final Deque<List<LogEntry>> waiting = new ArrayDeque<>();
        private final List<Runnable> stops = new ArrayList<>();
        private boolean live;
        private boolean ended;
        private long lastSent;
        private long head;
        private long lastEmitMillis = System.currentTimeMillis();
        private long keepAliveTimer = -1;

        Subscription(Scope scope, MultiEmitter<? super PolicyEvent> emitter) {
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
            List<PolicyEvent> items = new ArrayList<>();
            for (var stored : state.resources().values()) {
                if (inScope(Set.of(stored.proto().getRemoteNetworkId()))) {
                    items.add(item(stored.changeSequence(), PolicyEvent.newBuilder().setResourceUpserted(
                            ResourceUpserted.newBuilder().setResource(stored.proto()))));
                }
            }
            for (var stored : state.rules().values()) {
                if (inScope(state.networksOf(stored.proto()))) {
                    items.add(item(stored.changeSequence(), PolicyEvent.newBuilder().setRuleUpserted(
                            AccessRuleUpserted.newBuilder().setRule(stored.proto()))));
                }
            }
            for (var stored : state.groups().values()) {
                items.add(item(stored.changeSequence(), membership(stored.proto(), false)));
            }
            for (var stored : state.revocations().values()) {
                items.add(item(stored.changeSequence(), PolicyEvent.newBuilder().setRevocation(stored.proto())));
            }
            items.sort(java.util.Comparator.comparingLong(PolicyEvent::getSequence));
            emit(marker().setSnapshotBegin(SnapshotBegin.newBuilder().setSnapshotSequence(state.sequence())
                    .setEstimatedItemCount(items.size())).build());
            items.forEach(this::emit);
            emit(marker().setSnapshotEnd(SnapshotEnd.newBuilder().setSnapshotSequence(state.sequence()).setItemCount(items.size())).build());
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
            try {
                toEvent(entry).ifPresent(event -> {
                    emit(event);
                    if (event.hasRevocation() && revokesSubscriber(event.getRevocation())) {
                        end(new StreamEnded(PolicyError.Kind.PERMISSION_DENIED, "this connector was revoked: "
                                + event.getRevocation().getReason()));
                    }
                });
            } catch (InvalidProtocolBufferException e) {
                end(new IllegalStateException("policy_log entry " + entry.sequence() + " does not parse", e));
            }
        }

        private boolean revokesSubscriber(Revocation revocation) {
            return scope.connectorId().map(id -> revocation.getConnectorId().equals(id)).orElse(false);
        }

        private Optional<PolicyEvent> toEvent(LogEntry entry) throws InvalidProtocolBufferException {
            PolicyEvent.Builder event = PolicyEvent.newBuilder().setSequence(entry.sequence())
                    .setCommittedAt(EngineMapping.timestamp(entry.committedAt()));
            Predicate<Set<String>> in = this::inScope;
            switch (entry.kind()) {
                case RESOURCE_UPSERTED -> {
                    Resource resource = Resource.parseFrom(entry.payload());
                    if (in.test(entry.networkIds())) {
                        return Optional.of(event.setResourceUpserted(ResourceUpserted.newBuilder().setResource(resource)).build());
                    }
                    if (in.test(entry.previousNetworkIds())) {
                        return Optional.of(event.setResourceDeleted(ResourceDeleted.newBuilder().setResourceId(resource.getId())
                                .setRemoteNetworkId(entry.previousNetworkIds().iterator().next())).build());
                    }
                    return Optional.empty();
                }
                case RESOURCE_DELETED -> {
                    Resource resource = Resource.parseFrom(entry.payload());
                    return in.test(entry.previousNetworkIds())
                            ? Optional.of(event.setResourceDeleted(ResourceDeleted.newBuilder().setResourceId(resource.getId())
                                    .setRemoteNetworkId(resource.getRemoteNetworkId())).build())
                            : Optional.empty();
                }
                case RULE_UPSERTED -> {
                    AccessRule rule = AccessRule.parseFrom(entry.payload());
                    if (in.test(entry.networkIds())) {
                        return Optional.of(event.setRuleUpserted(AccessRuleUpserted.newBuilder().setRule(rule)).build());
                    }
                    if (in.test(entry.previousNetworkIds())) {
                        return Optional.of(event.setRuleDeleted(AccessRuleDeleted.newBuilder().setRuleId(rule.getId())).build());
                    }
                    return Optional.empty();
                }
                case RULE_DELETED -> {
                    return in.test(entry.previousNetworkIds()) || scope.all()
                            ? Optional.of(event.setRuleDeleted(AccessRuleDeleted.newBuilder().setRuleId(entry.entityId())).build())
                            : Optional.empty();
                }
                case GROUP_UPSERTED -> {
                    return Optional.of(event.setGroupMembershipChanged(membership(Group.parseFrom(entry.payload()), false)
                            .getGroupMembershipChanged()).build());
                }
                case GROUP_DELETED -> {
                    return Optional.of(event.setGroupMembershipChanged(GroupMembershipChanged.newBuilder()
                            .setGroupId(entry.entityId()).setGroupDeleted(true)).build());
                }
                case REVOCATION -> {
                    return Optional.of(event.setRevocation(Revocation.parseFrom(entry.payload())).build());
                }
                default -> {
                    // Networks and connectors are not part of the enforcement points' copy.
                    return Optional.empty();
                }
            }
        }

        private PolicyEvent.Builder membership(Group group, boolean deleted) {
            GroupMembershipChanged.Builder change = GroupMembershipChanged.newBuilder().setGroupId(group.getId()).setGroupDeleted(deleted)
                    .setSource(group.getSource());
            group.getMembersList().forEach(member -> change.addMembers(member.toBuilder().clearDisplayName()));
            return PolicyEvent.newBuilder().setGroupMembershipChanged(change);
        }

        private PolicyEvent item(long sequence, PolicyEvent.Builder event) {
            return event.setSequence(sequence).setCommittedAt(EngineMapping.timestamp(clock.instant())).build();
        }

        private PolicyEvent.Builder marker() {
            return PolicyEvent.newBuilder().setSequence(0).setCommittedAt(EngineMapping.timestamp(clock.instant()));
        }

        private synchronized void resync(long oldest, long headSequence, String reason) {
            emit(marker().setResyncRequired(ResyncRequired.newBuilder().setOldestRetainedSequence(oldest)
                    .setHeadSequence(headSequence).setReason(reason)).build());
            ended = true;
            emitter.complete();
        }

        private synchronized void keepAlive(long interval) {
            if (!ended && live && System.currentTimeMillis() - lastEmitMillis >= interval - 50) {
                emit(marker().setKeepAlive(KeepAlive.newBuilder().setHeadSequence(head)).build());
            }
        }

        private void emit(PolicyEvent event) {
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
