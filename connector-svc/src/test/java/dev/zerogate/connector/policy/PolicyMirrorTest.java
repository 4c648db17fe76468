package dev.zerogate.connector.policy;

import static dev.zerogate.connector.policy.Events.ALICE;
import static dev.zerogate.connector.policy.Events.BOB;
import static dev.zerogate.connector.policy.Events.FAMILY;
import static dev.zerogate.connector.policy.Events.FAMILY_PIHOLE;
import static dev.zerogate.connector.policy.Events.LAB;
import static dev.zerogate.connector.policy.Events.LAN;
import static dev.zerogate.connector.policy.Events.NOW;
import static dev.zerogate.connector.policy.Events.PIHOLE;
import static dev.zerogate.connector.policy.Events.UPSTREAM;
import static dev.zerogate.connector.policy.Events.at;
import static dev.zerogate.connector.policy.Events.begin;
import static dev.zerogate.connector.policy.Events.deleteResource;
import static dev.zerogate.connector.policy.Events.end;
import static dev.zerogate.connector.policy.Events.familyRule;
import static dev.zerogate.connector.policy.Events.groupDeleted;
import static dev.zerogate.connector.policy.Events.homeLab;
import static dev.zerogate.connector.policy.Events.idpGroup;
import static dev.zerogate.connector.policy.Events.keepAlive;
import static dev.zerogate.connector.policy.Events.lan;
import static dev.zerogate.connector.policy.Events.localGroup;
import static dev.zerogate.connector.policy.Events.pihole;
import static dev.zerogate.connector.policy.Events.resync;
import static dev.zerogate.connector.policy.Events.revoked;
import static dev.zerogate.connector.policy.Events.snapshot;
import static dev.zerogate.connector.policy.Events.timestamp;
import static dev.zerogate.connector.policy.Events.upsert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerogate.connector.policy.PolicyMirror.Applied;
import dev.zerogate.connector.policy.RevokedSubject.Kind;
import dev.zerogate.policy.engine.model.GroupSource;
import dev.zerogate.proto.policy.v1.PolicyEvent;
import dev.zerogate.proto.policy.v1.ResourceAddress;
import dev.zerogate.proto.policy.v1.Revocation;
import dev.zerogate.proto.policy.v1.WatchPolicyResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The connector's copy of the policy, fed stream events by hand. */
class PolicyMirrorTest {

    final PolicyMirror mirror = new PolicyMirror();
    final List<PolicyView> seen = new ArrayList<>();

    void feed(List<PolicyEvent> events) {
        events.forEach(e -> mirror.apply(WatchPolicyResponse.newBuilder().setEvent(e).build()));
    }

    @Test
    void aSnapshotIsInForceOnlyAtItsEndAndCarriesItsPosition() {
        mirror.addListener(seen::add);
        List<PolicyEvent> events = homeLab(42);
        assertFalse(mirror.isSynced());
        assertEquals(0, mirror.resumeAfter(), "the first call asks for a snapshot");
        for (PolicyEvent event : events.subList(0, events.size() - 1)) {
            assertEquals(Applied.BUFFERED, mirror.apply(event));
        }
        assertSame(PolicyView.EMPTY, mirror.view(), "nothing in force before SnapshotEnd");
        assertTrue(seen.isEmpty());

        assertEquals(Applied.CHANGED, mirror.apply(events.get(events.size() - 1)));
        PolicyView view = mirror.view();
        assertTrue(view.synced());
        assertEquals(42, view.position());
        assertEquals(42, mirror.resumeAfter());
        assertEquals(Set.of(PIHOLE, LAN, LAB), view.resources().keySet());
        assertEquals("pihole.lan", view.resource(PIHOLE).orElseThrow().address().text());
        assertEquals(Set.of(FAMILY_PIHOLE), view.rules().keySet());
        assertEquals(Set.of(ALICE), view.group(FAMILY).orElseThrow().userIds());
        assertEquals(GroupSource.LOCAL, view.group(FAMILY).orElseThrow().source());
        assertEquals(List.of(view), seen, "listeners hear of the snapshot once");
    }

    @Test
    void aNewSnapshotReplacesEverything() {
        feed(homeLab(10));
        feed(List.of(at(11, revoked(Revocation.newBuilder().setUserId(BOB).setRevokedAt(timestamp(NOW)))), at(12, idpGroup(UPSTREAM))));
        assertTrue(mirror.view().revocation(Kind.USER, BOB).isPresent());

        feed(snapshot(50, upsert(lan()), localGroup(FAMILY, BOB)));
        PolicyView view = mirror.view();
        assertEquals(50, view.position());
        assertEquals(Set.of(LAN), view.resources().keySet(), "resources absent from the snapshot are gone");
        assertTrue(view.rules().isEmpty());
        assertEquals(Set.of(FAMILY), view.groups().keySet());
        assertEquals(Set.of(BOB), view.group(FAMILY).orElseThrow().userIds());
        assertTrue(view.revocations().isEmpty(), "revocations too");
        assertTrue(view.mostSpecificResource("pihole.lan").isEmpty(), "and the destination index with them");
        assertEquals(LAN, view.mostSpecificResource("192.168.1.7").orElseThrow().id());
    }

    @Test
    void changesApplyInOrderAndMoveThePositionAndListenersSeeEachNewView() {
        feed(homeLab(10));
        mirror.addListener(seen::add);
        assertEquals(Applied.CHANGED, mirror.apply(at(11, upsert(pihole().setAddress(ResourceAddress.newBuilder().setFqdn("pi.lan"))))));
        assertEquals(Applied.CHANGED, mirror.apply(at(13, localGroup(FAMILY, ALICE, BOB))));
        assertEquals(Applied.CHANGED, mirror.apply(at(17, deleteResource(LAB))));

        assertEquals(3, seen.size());
        assertEquals(List.of(11L, 13L, 17L), seen.stream().map(PolicyView::position).toList());
        assertSame(mirror.view(), seen.get(2));
        assertEquals(PIHOLE, seen.get(0).mostSpecificResource("pi.lan").orElseThrow().id());
        assertTrue(seen.get(0).mostSpecificResource("pihole.lan").isEmpty());
        assertEquals(Set.of(ALICE, BOB), seen.get(1).group(FAMILY).orElseThrow().userIds());
        assertTrue(seen.get(1).resource(LAB).isPresent(), "an older view is never changed afterwards");
        assertTrue(seen.get(2).resource(LAB).isEmpty());
        assertEquals(17, mirror.resumeAfter());
    }

    @Test
    void aChangeAtOrBeforeThePositionIsSkipped() {
        feed(homeLab(10));
        mirror.apply(at(12, localGroup(FAMILY, BOB)));
        mirror.addListener(seen::add);
        assertEquals(Applied.SKIPPED, mirror.apply(at(12, localGroup(FAMILY, ALICE))));
        assertEquals(Applied.SKIPPED, mirror.apply(at(9, deleteResource(PIHOLE))));
        assertEquals(Set.of(BOB), mirror.view().group(FAMILY).orElseThrow().userIds());
        assertTrue(mirror.view().resource(PIHOLE).isPresent());
        assertTrue(seen.isEmpty());
        assertEquals(12, mirror.resumeAfter());
    }

    @Test
    void groupsAreReplacedWholeOrDeletedAndRevocationsKeepTheLatestTime() {
        feed(homeLab(10));
        mirror.apply(at(11, localGroup(FAMILY)));
        assertTrue(mirror.view().group(FAMILY).orElseThrow().userIds().isEmpty());
        mirror.apply(at(12, groupDeleted(FAMILY)));
        assertTrue(mirror.view().group(FAMILY).isEmpty());

        mirror.apply(at(13, revoked(Revocation.newBuilder().setSessionId("s-1").setRevokedAt(timestamp(NOW)))));
        mirror.apply(at(14, revoked(Revocation.newBuilder().setSessionId("s-1").setRevokedAt(timestamp(NOW.minusSeconds(60))))));
        assertEquals(NOW, mirror.view().revocation(Kind.SESSION, "s-1").orElseThrow().revokedAt());
        assertTrue(mirror.view().revocation(Kind.USER, "s-1").isEmpty(), "kinds are apart");
    }

    @Test
    void keepAlivesMoveTheHeadOnly() {
        feed(homeLab(10));
        mirror.addListener(seen::add);
        assertEquals(Applied.KEEP_ALIVE, mirror.apply(keepAlive(25)));
        assertEquals(25, mirror.headSequence());
        assertEquals(10, mirror.resumeAfter());
        assertTrue(seen.isEmpty());
    }

    @Test
    void resyncKeepsEnforcingTheCopyAndAsksForASnapshot() {
        feed(homeLab(10));
        PolicyView before = mirror.view();
        assertEquals(Applied.RESYNC_REQUIRED, mirror.apply(resync(400)));
        assertSame(before, mirror.view());
        assertTrue(mirror.isSynced(), "still enforcing the copy it has");
        assertEquals(0, mirror.resumeAfter());
        assertEquals(400, mirror.headSequence());

        feed(snapshot(400, upsert(lan())));
        assertEquals(400, mirror.resumeAfter());
    }

    @Test
    void anIncompleteSnapshotIsRefusedAndTheCopyKept() {
        feed(homeLab(10));
        PolicyView before = mirror.view();
        mirror.apply(resync(50));
        mirror.apply(begin(50, 2));
        mirror.apply(at(3, upsert(lan())));
        PolicyStreamException e = assertThrows(PolicyStreamException.class, () -> mirror.apply(end(50, 2)));
        assertEquals("the snapshot at 50 announced 2 items, 1 arrived", e.getMessage());
        assertSame(before, mirror.view());
        assertEquals(0, mirror.resumeAfter(), "still needs a snapshot");
        assertThrows(PolicyStreamException.class, () -> mirror.apply(end(50, 1)), "the broken snapshot was dropped");
    }

    @Test
    void anAbandonedSnapshotNeverComesIntoForce() {
        mirror.apply(begin(7, 1));
        mirror.apply(at(1, upsert(lan())));
        mirror.abandonSnapshot();
        assertThrows(PolicyStreamException.class, () -> mirror.apply(end(7, 1)));
        assertFalse(mirror.isSynced());
    }

    @Test
    void aChangeBeforeAnySnapshotBreaksTheProtocol() {
        assertThrows(PolicyStreamException.class, () -> mirror.apply(at(3, upsert(lan()))));
        feed(homeLab(10));
        assertThrows(PolicyStreamException.class, () -> mirror.apply(upsert(lan()).toBuilder().setSequence(0).build()),
                "a change without a sequence");
    }

    @Test
    void unknownEventKindsAreSkippedButCountedInASnapshot() {
        PolicyEvent unknown = PolicyEvent.newBuilder().build();
        feed(List.of(begin(5, 2), at(1, upsert(lan())), at(2, unknown), end(5, 2)));
        assertTrue(mirror.isSynced());
        assertEquals(Applied.SKIPPED, mirror.apply(at(6, unknown)));
        assertEquals(6, mirror.resumeAfter(), "resuming would only bring it again");
    }

    @Test
    void anItemThatDoesNotMapIsLeftOutWithItsOlderVersion() {
        feed(homeLab(10));
        mirror.apply(at(11, upsert(pihole().setAddress(ResourceAddress.newBuilder().setCidr("10.0.0.0/4")))));
        assertTrue(mirror.view().resource(PIHOLE).isEmpty(), "fail closed: its flows are refused");
        mirror.apply(at(12, upsert(familyRule().clearResourceIds())));
        assertTrue(mirror.view().rule(FAMILY_PIHOLE).isEmpty());
        assertEquals(12, mirror.resumeAfter());
    }

    @Test
    void aFailingListenerDoesNotKeepOthersFromHearing() {
        mirror.addListener(view -> {
            throw new IllegalStateException("boom");
        });
        mirror.addListener(seen::add);
        feed(homeLab(10));
        assertEquals(1, seen.size());
        Runnable remove = mirror.addListener(seen::add);
        remove.run();
        mirror.apply(at(11, deleteResource(LAN)));
        assertEquals(2, seen.size(), "a removed listener hears nothing");
    }
}
