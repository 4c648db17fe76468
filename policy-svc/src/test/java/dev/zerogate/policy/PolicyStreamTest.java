package dev.zerogate.policy;

import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.Connector;
import dev.zerogate.proto.policy.v1.CreateAccessRuleRequest;
import dev.zerogate.proto.policy.v1.CreateConnectorRequest;
import dev.zerogate.proto.policy.v1.CreateGroupRequest;
import dev.zerogate.proto.policy.v1.CreateRemoteNetworkRequest;
import dev.zerogate.proto.policy.v1.CreateResourceRequest;
import dev.zerogate.proto.policy.v1.DeleteConnectorRequest;
import dev.zerogate.proto.policy.v1.DeleteResourceRequest;
import dev.zerogate.proto.policy.v1.Group;
import dev.zerogate.proto.policy.v1.GroupMember;
import dev.zerogate.proto.policy.v1.GroupSource;
import dev.zerogate.proto.policy.v1.PolicyAdminServiceGrpc;
import dev.zerogate.proto.policy.v1.PolicyEvent;
import dev.zerogate.proto.policy.v1.PolicyStreamServiceGrpc;
import dev.zerogate.proto.policy.v1.RemoteNetwork;
import dev.zerogate.proto.policy.v1.Resource;
import dev.zerogate.proto.policy.v1.ResourceAddress;
import dev.zerogate.proto.policy.v1.SubscriberKind;
import dev.zerogate.proto.policy.v1.UpdateGroupRequest;
import dev.zerogate.proto.policy.v1.WatchPolicyRequest;
import dev.zerogate.proto.policy.v1.WatchPolicyResponse;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.StreamRecorder;
import dev.zerogate.testkit.identity.TestIdentity;
import dev.zerogate.testkit.identity.TestIdentity.Claims;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** PolicyStreamService on one replica: snapshot, deltas, resume, resync, scope and who may subscribe. */
@QuarkusTest
@PolicyDatabase
class PolicyStreamTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    GrpcProbe probe;
    PolicyAdminServiceGrpc.PolicyAdminServiceBlockingStub admin;
    String adminToken;
    final List<Context.CancellableContext> open = new ArrayList<>();

    @BeforeEach
    void connect() {
        probe = GrpcProbe.connect(port);
        adminToken = TestIdentity.instance().token(Claims.user(UUID.randomUUID().toString(), "admins"));
        admin = GrpcProbe.withBearer(PolicyAdminServiceGrpc.newBlockingStub(probe.channel()), adminToken);
    }

    @AfterEach
    void close() throws InterruptedException {
        open.forEach(context -> context.cancel(null));
        probe.close();
    }

    /** Events of one subscription as they arrive; the end of the stream is a sentinel. */
    final class Watch {
        final StreamRecorder<WatchPolicyResponse> recorder = new StreamRecorder<>(WatchPolicyResponse::getEvent);
        final BlockingQueue<Object> received = recorder.received();

        Watch(String token, WatchPolicyRequest request) {
            Context.CancellableContext context = Context.current().withCancellation();
            open.add(context);
            context.run(() -> GrpcProbe.withBearer(PolicyStreamServiceGrpc.newStub(probe.channel()), token)
                    .watchPolicy(request, recorder));
        }

        /** The next event that is not a keep-alive. */
        PolicyEvent next() throws InterruptedException {
            while (true) {
                Object item = received.poll(10, TimeUnit.SECONDS);
                if (item == null) {
                    fail("no event within 10 s");
                }
                if (!(item instanceof PolicyEvent event)) {
                    fail("the stream ended: " + item);
                    return null;
                }
                if (!event.hasKeepAlive()) {
                    return event;
                }
            }
        }

        /** Skips events until one matches. */
        PolicyEvent until(Predicate<PolicyEvent> wanted) throws InterruptedException {
            while (true) {
                PolicyEvent event = next();
                if (wanted.test(event)) {
                    return event;
                }
            }
        }

        /** The status the stream ended with ("completed" for OK). */
        Object end() throws InterruptedException {
            while (true) {
                Object item = received.poll(10, TimeUnit.SECONDS);
                if (item == null) {
                    fail("the stream did not end within 10 s");
                }
                if (!(item instanceof PolicyEvent)) {
                    return item;
                }
            }
        }

        /** Collects a whole snapshot: its items, checked for order and completeness. */
        List<PolicyEvent> snapshot() throws InterruptedException {
            PolicyEvent begin = next();
            assertTrue(begin.hasSnapshotBegin(), "a first subscription starts with a snapshot: " + begin);
            assertEquals(0, begin.getSequence(), "markers carry sequence 0");
            List<PolicyEvent> items = new ArrayList<>();
            long previous = 0;
            while (true) {
                PolicyEvent event = next();
                if (event.hasSnapshotEnd()) {
                    assertEquals(items.size(), event.getSnapshotEnd().getItemCount());
                    assertEquals(begin.getSnapshotBegin().getSnapshotSequence(), event.getSnapshotEnd().getSnapshotSequence());
                    return items;
                }
                assertTrue(event.getSequence() > previous, "snapshot items in increasing sequence");
                assertTrue(event.getSequence() <= begin.getSnapshotBegin().getSnapshotSequence(), "items at most the snapshot position");
                previous = event.getSequence();
                items.add(event);
            }
        }
    }

    WatchPolicyRequest relay(long resumeAfter) {
        return WatchPolicyRequest.newBuilder().setSubscriberKind(SubscriberKind.SUBSCRIBER_KIND_RELAY)
                .setSubscriberId(UUID.randomUUID().toString()).setResumeAfterSequence(resumeAfter).build();
    }

    RemoteNetwork network() {
        return admin.createRemoteNetwork(CreateRemoteNetworkRequest.newBuilder().setRemoteNetwork(RemoteNetwork.newBuilder()
                .setName("net-" + UUID.randomUUID().toString().substring(0, 8))).build()).getRemoteNetwork();
    }

    Resource resource(RemoteNetwork network) {
        return admin.createResource(CreateResourceRequest.newBuilder().setResource(Resource.newBuilder()
                .setRemoteNetworkId(network.getId()).setName("res-" + UUID.randomUUID().toString().substring(0, 8))
                .setAddress(ResourceAddress.newBuilder().setFqdn(UUID.randomUUID().toString().substring(0, 8) + ".lan"))).build())
                .getResource();
    }

    @Test
    void aRelayGetsASnapshotThenEveryChangeInOrder() throws InterruptedException {
        RemoteNetwork home = network();
        Resource before = resource(home);
        Watch watch = new Watch(adminToken, relay(0));
        List<PolicyEvent> snapshot = watch.snapshot();
        assertTrue(snapshot.stream().anyMatch(e -> e.hasResourceUpserted()
                && e.getResourceUpserted().getResource().getId().equals(before.getId())), "the snapshot holds the resource");

        Resource after = resource(home);
        PolicyEvent created = watch.until(e -> e.hasResourceUpserted()
                && e.getResourceUpserted().getResource().getId().equals(after.getId()));
        admin.deleteResource(DeleteResourceRequest.newBuilder().setId(after.getId()).build());
        PolicyEvent deleted = watch.until(e -> e.hasResourceDeleted() && e.getResourceDeleted().getResourceId().equals(after.getId()));
        assertTrue(deleted.getSequence() > created.getSequence());
        assertEquals(home.getId(), deleted.getResourceDeleted().getRemoteNetworkId());
    }

    @Test
    void aSubscriberResumesAfterTheLastSequenceItAppliedWithoutASnapshot() throws InterruptedException {
        RemoteNetwork home = network();
        Watch first = new Watch(adminToken, relay(0));
        first.snapshot();
        Resource one = resource(home);
        long position = first.until(e -> e.hasResourceUpserted() && e.getResourceUpserted().getResource().getId().equals(one.getId()))
                .getSequence();
        Resource two = resource(home);
        Resource three = resource(home);

        Watch resumed = new Watch(adminToken, relay(position));
        PolicyEvent next = resumed.next();
        assertFalse(next.hasSnapshotBegin(), "resuming sends no snapshot");
        assertTrue(next.getSequence() > position);
        PolicyEvent gotTwo = next.hasResourceUpserted() && next.getResourceUpserted().getResource().getId().equals(two.getId()) ? next
                : resumed.until(e -> e.hasResourceUpserted() && e.getResourceUpserted().getResource().getId().equals(two.getId()));
        PolicyEvent gotThree = resumed.until(e -> e.hasResourceUpserted()
                && e.getResourceUpserted().getResource().getId().equals(three.getId()));
        assertTrue(gotThree.getSequence() > gotTwo.getSequence());
    }

    @Test
    void aPositionNewerThanTheHeadAsksForANewSnapshot() throws InterruptedException {
        Watch watch = new Watch(adminToken, relay(Long.MAX_VALUE / 2));
        PolicyEvent event = watch.next();
        assertTrue(event.hasResyncRequired(), event.toString());
        assertTrue(event.getResyncRequired().getReason().contains("newer than the head"));
        assertEquals("completed", watch.end());
    }

    @Test
    void aConnectorSeesOnlyItsNetworkAndItsStreamEndsWhenItIsDeleted() throws InterruptedException {
        RemoteNetwork home = network();
        RemoteNetwork office = network();
        Connector pi = admin.createConnector(CreateConnectorRequest.newBuilder().setConnector(Connector.newBuilder()
                .setRemoteNetworkId(home.getId())).build()).getConnector();
        Resource mine = resource(home);
        Resource theirs = resource(office);
        String user = UUID.randomUUID().toString();
        Group family = admin.createGroup(CreateGroupRequest.newBuilder().setGroup(Group.newBuilder().setName("g-" + user)
                .setSource(GroupSource.GROUP_SOURCE_LOCAL).addMembers(GroupMember.newBuilder().setUserId(user))).build()).getGroup();
        Group upstream = admin.createGroup(CreateGroupRequest.newBuilder().setGroup(Group.newBuilder().setName("idp-" + user)
                .setSource(GroupSource.GROUP_SOURCE_IDP_SYNC).setIdpGroupName("idp-" + user)).build()).getGroup();
        AccessRule officeRule = admin.createAccessRule(CreateAccessRuleRequest.newBuilder().setRule(AccessRule.newBuilder()
                .setName("office-" + user).setGroupId(family.getId()).addResourceIds(theirs.getId())).build()).getRule();
        AccessRule homeRule = admin.createAccessRule(CreateAccessRuleRequest.newBuilder().setRule(AccessRule.newBuilder()
                .setName("home-" + user).setGroupId(family.getId()).addResourceIds(mine.getId())).build()).getRule();

        String connectorToken = TestIdentity.instance().token(Claims.connector(pi.getId()));
        Watch watch = new Watch(connectorToken, WatchPolicyRequest.newBuilder().setSubscriberKind(SubscriberKind.SUBSCRIBER_KIND_CONNECTOR)
                .setSubscriberId(pi.getId()).build());
        List<PolicyEvent> snapshot = watch.snapshot();
        assertTrue(snapshot.stream().anyMatch(e -> e.getResourceUpserted().getResource().getId().equals(mine.getId())));
        assertFalse(snapshot.stream().anyMatch(e -> e.getResourceUpserted().getResource().getId().equals(theirs.getId())),
                "another network's resource is out of scope");
        assertTrue(snapshot.stream().anyMatch(e -> e.getRuleUpserted().getRule().getId().equals(homeRule.getId())));
        assertFalse(snapshot.stream().anyMatch(e -> e.getRuleUpserted().getRule().getId().equals(officeRule.getId())));
        assertTrue(snapshot.stream().anyMatch(e -> e.getGroupMembershipChanged().getGroupId().equals(family.getId())
                && e.getGroupMembershipChanged().getSource() == GroupSource.GROUP_SOURCE_LOCAL), "the group with its source");
        assertTrue(snapshot.stream().anyMatch(e -> e.getGroupMembershipChanged().getGroupId().equals(upstream.getId())
                && e.getGroupMembershipChanged().getSource() == GroupSource.GROUP_SOURCE_IDP_SYNC
                && e.getGroupMembershipChanged().getMembersCount() == 0), "an IDP_SYNC group says so: its members are in tokens");

        String newcomer = UUID.randomUUID().toString();
        admin.updateGroup(UpdateGroupRequest.newBuilder().setGroup(family.toBuilder()
                        .addMembers(GroupMember.newBuilder().setServiceAccountId(newcomer)))
                .setUpdateMask(com.google.protobuf.FieldMask.newBuilder().addPaths("members")).build());
        PolicyEvent membership = watch.until(e -> e.hasGroupMembershipChanged() && e.getGroupMembershipChanged().getGroupId()
                .equals(family.getId()));
        assertEquals(2, membership.getGroupMembershipChanged().getMembersCount(), "the full member set travels");
        assertEquals(GroupSource.GROUP_SOURCE_LOCAL, membership.getGroupMembershipChanged().getSource());

        admin.deleteConnector(DeleteConnectorRequest.newBuilder().setId(pi.getId()).build());
        PolicyEvent revocation = watch.until(PolicyEvent::hasRevocation);
        assertEquals(pi.getId(), revocation.getRevocation().getConnectorId());
        Object end = watch.end();
        assertTrue(end instanceof StatusRuntimeException e && e.getStatus().getCode() == Status.Code.PERMISSION_DENIED, end.toString());
    }

    @Test
    void aTokenAcceptedBeforeItsConnectorWasDeletedIsRefusedAsUnauthenticatedAfterwards() throws InterruptedException {
        RemoteNetwork home = network();
        Connector pi = admin.createConnector(CreateConnectorRequest.newBuilder().setConnector(Connector.newBuilder()
                .setRemoteNetworkId(home.getId())).build()).getConnector();
        String connector = TestIdentity.instance().token(Claims.connector(pi.getId()));
        WatchPolicyRequest itsOwn = WatchPolicyRequest.newBuilder().setSubscriberKind(SubscriberKind.SUBSCRIBER_KIND_CONNECTOR)
                .setSubscriberId(pi.getId()).build();
        Watch first = new Watch(connector, itsOwn);
        first.until(PolicyEvent::hasSnapshotEnd); // the token was verified, and is now remembered
        admin.deleteConnector(DeleteConnectorRequest.newBuilder().setId(pi.getId()).build());
        first.until(PolicyEvent::hasRevocation);

        Object refused = new Watch(connector, itsOwn).end();
        assertStatus(Status.Code.UNAUTHENTICATED, refused);
        assertTrue(((StatusRuntimeException) refused).getStatus().getDescription().contains("revoked"), refused.toString());
    }

    @Test
    void onlyRelaysAdminsAndConnectorsOfTheirOwnIdMaySubscribe() throws InterruptedException {
        RemoteNetwork home = network();
        Connector pi = admin.createConnector(CreateConnectorRequest.newBuilder().setConnector(Connector.newBuilder()
                .setRemoteNetworkId(home.getId())).build()).getConnector();
        String someone = TestIdentity.instance().token(Claims.user(UUID.randomUUID().toString(), "family"));
        assertStatus(Status.Code.PERMISSION_DENIED, new Watch(someone, relay(0)).end());
        String backup = TestIdentity.instance().token(Claims.serviceAccount(UUID.randomUUID().toString()));
        assertStatus(Status.Code.PERMISSION_DENIED, new Watch(backup, relay(0)).end());
        String otherConnector = TestIdentity.instance().token(Claims.connector(UUID.randomUUID().toString()));
        assertStatus(Status.Code.PERMISSION_DENIED, new Watch(otherConnector, WatchPolicyRequest.newBuilder()
                .setSubscriberKind(SubscriberKind.SUBSCRIBER_KIND_CONNECTOR).setSubscriberId(pi.getId()).build()).end());
        String connector = TestIdentity.instance().token(Claims.connector(pi.getId()));
        assertStatus(Status.Code.PERMISSION_DENIED, new Watch(connector, WatchPolicyRequest.newBuilder()
                .setSubscriberKind(SubscriberKind.SUBSCRIBER_KIND_CONNECTOR).setSubscriberId(pi.getId())
                .addRemoteNetworkIds(UUID.randomUUID().toString()).build()).end());
        assertStatus(Status.Code.INVALID_ARGUMENT, new Watch(adminToken, WatchPolicyRequest.newBuilder()
                .setSubscriberId(UUID.randomUUID().toString()).build()).end());
        assertStatus(Status.Code.UNAUTHENTICATED, new Watch("", relay(0)).end());
    }

    @Test
    void anIdleStreamGetsKeepAlivesWithTheHead() throws InterruptedException {
        Watch watch = new Watch(adminToken, relay(0));
        watch.snapshot();
        Object item;
        do {
            item = watch.received.poll(10, TimeUnit.SECONDS);
            assertNotNull(item, "a keep-alive within 10 s (interval 1 s in tests)");
        } while (!(item instanceof PolicyEvent event && event.hasKeepAlive()));
        assertTrue(((PolicyEvent) item).getKeepAlive().getHeadSequence() > 0);
    }

    static void assertStatus(Status.Code code, Object end) {
        assertTrue(end instanceof StatusRuntimeException e && e.getStatus().getCode() == code, "expected " + code + ", got " + end);
    }
}
