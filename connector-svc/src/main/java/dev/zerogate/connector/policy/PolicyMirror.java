package dev.zerogate.connector.policy;

import dev.zerogate.policy.engine.proto.EngineMapping;
import dev.zerogate.proto.ProtoTime;
import dev.zerogate.proto.policy.v1.GroupMember;
import dev.zerogate.proto.policy.v1.GroupMembershipChanged;
import dev.zerogate.proto.policy.v1.PolicyEvent;
import dev.zerogate.proto.policy.v1.Revocation;
import dev.zerogate.proto.policy.v1.WatchPolicyResponse;
import org.jboss.logging.Logger;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The connector's copy of the policy, fed with the events of {@code PolicyStreamService.WatchPolicy}
 * in the order they arrive (see the protocol in {@code policy.proto}). Pure: no gRPC, no clock.
 *
 * <ul>
 *   <li>A snapshot (SnapshotBegin, items, SnapshotEnd) is collected aside and replaces the whole
 *       view at SnapshotEnd, if exactly {@code item_count} items arrived; until then the previous
 *       view stays in force. The position becomes {@code snapshot_sequence}.
 *   <li>A change is applied to a copy of the view, which is swapped in; the position becomes its
 *       sequence. A change at or before the position (a resumed stream repeating itself) is
 *       skipped.
 *   <li>ResyncRequired: the view stays in force, the next call must ask for a snapshot
 *       ({@link #resumeAfter()} is 0). KeepAlive: only the head moves.
 *   <li>An event kind this build does not know is skipped (counted inside a snapshot).
 *   <li>An item that does not map to the engine's values (which policy-svc validated) is dropped
 *       with a warning, and any older version of it too: its flows are refused (fail closed).
 * </ul>
 *
 * <p>Thread-safe: the view is a volatile immutable {@link PolicyView}; events are applied under
 * this object's lock, and listeners run on the applying thread, under that lock, once per view
 * swapped in and in order. Listeners must be quick (re-check the open flows, close some) and must
 * not feed the mirror themselves.
 */
public final class PolicyMirror {

    private static final Logger LOG = Logger.getLogger(PolicyMirror.class);

    /** What applying one event did. */
    public enum Applied {
        /** A new view is in force (a change, or a complete snapshot); listeners were called. */
        CHANGED,
        /** Part of a snapshot in progress; nothing in force changed yet. */
        BUFFERED,
        /** A keep-alive: only the head moved. */
        KEEP_ALIVE,
        /** Nothing to do: a change already applied, or an event kind this build does not know. */
        SKIPPED,
        /** The server cannot resume from the position: the stream ends, call again for a snapshot. */
        RESYNC_REQUIRED
    }

    private final List<Consumer<PolicyView>> listeners = new CopyOnWriteArrayList<>();
    private volatile PolicyView view = PolicyView.EMPTY;
    private volatile long head;
    /** Guarded by this: the snapshot being collected, or null. */
    private PolicyView.Builder pending;
    /** Guarded by this. */
    private long pendingSequence;
    /** Guarded by this. */
    private int pendingItems;
    /** Guarded by this (volatile for readers): the server asked for a new snapshot. */
    private volatile boolean resyncRequested;

    /** The view in force. */
    public PolicyView view() {
        return view;
    }

    /** Whether a complete snapshot is in force: before that the connector must not accept flows. */
    public boolean isSynced() {
        return view.synced();
    }

    /** The position to send as {@code resume_after_sequence}: 0 (a snapshot) before the first one and after ResyncRequired. */
    public long resumeAfter() {
        return resyncRequested ? 0 : view.position();
    }

    /** The newest sequence the server has reported (keep-alives, snapshots) or this mirror has applied. */
    public long headSequence() {
        return Math.max(head, view.position());
    }

    /**
     * Calls {@code listener} with every view swapped in from now on, on the applying thread.
     *
     * @return removes the listener
     */
    public Runnable addListener(Consumer<PolicyView> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Applies one message of the stream. */
    public Applied apply(WatchPolicyResponse response) {
        return apply(response.getEvent());
    }

    /**
     * Applies one event of the stream.
     *
     * @throws PolicyStreamException when the stream breaks the protocol; the view in force is kept
     *     and a snapshot in progress is dropped
     */
    public synchronized Applied apply(PolicyEvent event) {
        try {
            return switch (event.getEventCase()) {
                case SNAPSHOT_BEGIN -> begin(event);
                case SNAPSHOT_END -> end(event);
                case KEEP_ALIVE -> {
                    head = Math.max(head, event.getKeepAlive().getHeadSequence());
                    yield Applied.KEEP_ALIVE;
                }
                case RESYNC_REQUIRED -> {
                    pending = null;
                    resyncRequested = true;
                    head = Math.max(head, event.getResyncRequired().getHeadSequence());
                    LOG.infof("policy stream: resync required (%s); keeping the copy at %d until a new snapshot",
                            event.getResyncRequired().getReason(), view.position());
                    yield Applied.RESYNC_REQUIRED;
                }
                default -> pending != null ? item(event) : change(event);
            };
        } catch (PolicyStreamException e) {
            pending = null;
            throw e;
        }
    }

    /** Drops a snapshot in progress: its stream ended before SnapshotEnd. */
    public synchronized void abandonSnapshot() {
        pending = null;
    }

    private Applied begin(PolicyEvent event) {
        // A new stream's snapshot also replaces one left unfinished by a broken stream.
        pending = PolicyView.builder();
        pendingSequence = event.getSnapshotBegin().getSnapshotSequence();
        pendingItems = 0;
        return Applied.BUFFERED;
    }

    private Applied end(PolicyEvent event) {
        if (pending == null) {
            throw new PolicyStreamException("SnapshotEnd without SnapshotBegin");
        }
        var end = event.getSnapshotEnd();
        if (end.getSnapshotSequence() != pendingSequence) {
            throw new PolicyStreamException("SnapshotEnd at " + end.getSnapshotSequence() + " closes the snapshot begun at " + pendingSequence);
        }
        if (end.getItemCount() != pendingItems) {
            throw new PolicyStreamException("the snapshot at " + pendingSequence + " announced " + end.getItemCount() + " items, "
                    + pendingItems + " arrived");
        }
        PolicyView next = pending.build(true, pendingSequence);
        pending = null;
        resyncRequested = false;
        head = Math.max(head, next.position());
        LOG.infof("policy stream: snapshot at %d in force: %d resources, %d rules, %d groups, %d revocations", next.position(),
                next.resources().size(), next.rules().size(), next.groups().size(), next.revocations().size());
        swapIn(next);
        return Applied.CHANGED;
    }

    private Applied item(PolicyEvent event) {
        pendingItems++;
        if (!mutate(pending, event)) {
            LOG.debugf("policy stream: skipped a snapshot item of unknown kind %s", event.getEventCase());
        }
        return Applied.BUFFERED;
    }

    private Applied change(PolicyEvent event) {
        PolicyView current = view;
        if (!current.synced()) {
            throw new PolicyStreamException("a change (" + event.getEventCase() + ") before any snapshot");
        }
        if (event.getSequence() == 0) {
            throw new PolicyStreamException("a change (" + event.getEventCase() + ") without a sequence");
        }
        if (event.getSequence() <= current.position()) {
            return Applied.SKIPPED;
        }
        PolicyView.Builder builder = current.toBuilder();
        boolean known = mutate(builder, event);
        PolicyView next = builder.build(true, event.getSequence());
        head = Math.max(head, next.position());
        if (!known) {
            // Nothing to apply, but the position moves: resuming would only bring it again.
            LOG.debugf("policy stream: skipped a change of unknown kind %s at %d", event.getEventCase(), event.getSequence());
            view = next;
            return Applied.SKIPPED;
        }
        LOG.debugf("policy stream: %s at %d applied", event.getEventCase(), event.getSequence());
        swapIn(next);
        return Applied.CHANGED;
    }

    /** Applies an item or change to {@code builder}; false for an event kind this build does not know. */
    private static boolean mutate(PolicyView.Builder builder, PolicyEvent event) {
        switch (event.getEventCase()) {
            case RESOURCE_UPSERTED -> {
                var proto = event.getResourceUpserted().getResource();
                builder.removeResource(proto.getId());
                mapped("resource " + proto.getId(), () -> EngineMapping.resource(proto)).ifPresent(builder::putResource);
            }
            case RESOURCE_DELETED -> builder.removeResource(event.getResourceDeleted().getResourceId());
            case RULE_UPSERTED -> {
                var proto = event.getRuleUpserted().getRule();
                builder.removeRule(proto.getId());
                mapped("access rule " + proto.getId(), () -> EngineMapping.rule(proto)).ifPresent(builder::putRule);
            }
            case RULE_DELETED -> builder.removeRule(event.getRuleDeleted().getRuleId());
            case GROUP_MEMBERSHIP_CHANGED -> {
                GroupMembershipChanged change = event.getGroupMembershipChanged();
                if (change.getGroupDeleted()) {
                    builder.removeGroup(change.getGroupId());
                } else {
                    builder.putGroup(members(change));
                }
            }
            case REVOCATION -> revoked(event.getRevocation()).ifPresentOrElse(
                    subject -> builder.putRevocation(subject, new RevocationEntry(ProtoTime.instant(event.getRevocation().getRevokedAt()),
                            event.getRevocation().getReason())),
                    () -> LOG.warnf("policy stream: a revocation without a subject at %d, skipped", event.getSequence()));
            default -> {
                return false;
            }
        }
        return true;
    }

    private static GroupMembers members(GroupMembershipChanged change) {
        Set<String> users = new HashSet<>();
        Set<String> serviceAccounts = new HashSet<>();
        for (GroupMember member : change.getMembersList()) {
            switch (member.getMemberCase()) {
                case USER_ID -> users.add(member.getUserId());
                case SERVICE_ACCOUNT_ID -> serviceAccounts.add(member.getServiceAccountId());
                case MEMBER_NOT_SET -> {
                    // Nobody: includes no one.
                }
            }
        }
        return new GroupMembers(change.getGroupId(), EngineMapping.groupSource(change.getSource()), users, serviceAccounts);
    }

    static Optional<RevokedSubject> revoked(Revocation revocation) {
        return switch (revocation.getSubjectCase()) {
            case USER_ID -> Optional.of(new RevokedSubject(RevokedSubject.Kind.USER, revocation.getUserId()));
            case DEVICE_ID -> Optional.of(new RevokedSubject(RevokedSubject.Kind.DEVICE, revocation.getDeviceId()));
            case CONNECTOR_ID -> Optional.of(new RevokedSubject(RevokedSubject.Kind.CONNECTOR, revocation.getConnectorId()));
            case SERVICE_ACCOUNT_ID -> Optional.of(new RevokedSubject(RevokedSubject.Kind.SERVICE_ACCOUNT, revocation.getServiceAccountId()));
            case SESSION_ID -> Optional.of(new RevokedSubject(RevokedSubject.Kind.SESSION, revocation.getSessionId()));
            case SUBJECT_NOT_SET -> Optional.empty();
        };
    }

    private static <T> Optional<T> mapped(String what, java.util.function.Supplier<T> mapping) {
        try {
            return Optional.of(mapping.get());
        } catch (RuntimeException e) {
            LOG.warnf("policy stream: %s does not map to the engine's model and is left out (its flows are refused): %s", what,
                    e.getMessage());
            return Optional.empty();
        }
    }

    private void swapIn(PolicyView next) {
        view = next;
        for (Consumer<PolicyView> listener : listeners) {
            try {
                listener.accept(next);
            } catch (RuntimeException e) {
                LOG.warnf(e, "a policy listener failed at position %d", next.position());
            }
        }
    }
}
