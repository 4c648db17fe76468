package dev.zerogate.e2e;

import dev.zerogate.runkit.DatabaseLogin;
import dev.zerogate.runkit.EmbeddedPostgresServer;
import dev.zerogate.proto.policy.v1.CreateRemoteNetworkRequest;
import dev.zerogate.proto.policy.v1.CreateResourceRequest;
import dev.zerogate.proto.policy.v1.PolicyAdminServiceGrpc;
import dev.zerogate.proto.policy.v1.PolicyEvent;
import dev.zerogate.proto.policy.v1.PolicyStreamServiceGrpc;
import dev.zerogate.proto.policy.v1.RemoteNetwork;
import dev.zerogate.proto.policy.v1.Resource;
import dev.zerogate.proto.policy.v1.ResourceAddress;
import dev.zerogate.proto.policy.v1.SubscriberKind;
import dev.zerogate.proto.policy.v1.WatchPolicyRequest;
import dev.zerogate.proto.policy.v1.WatchPolicyResponse;
import dev.zerogate.testkit.FreePorts;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.StreamRecorder;
import dev.zerogate.testkit.identity.TestIdentity;
import dev.zerogate.testkit.identity.TestIdentity.Claims;
import io.grpc.Context;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Two policy-svc replicas (the packaged application, as processes) on one PostgreSQL: a change
 * committed through one reaches a subscriber of the other, and a subscriber can resume on either
 * replica from a position the other gave it. Tokens come from testkit's TestIdentity.
 */
class PolicyReplicasTest {

    @TempDir
    static Path home;

    static EmbeddedPostgresServer postgres;
    static final List<ServiceProcess> replicas = new ArrayList<>();
    static int portA;
    static int portB;

    @BeforeAll
    static void startTwoReplicas() throws Exception {
        int base = FreePorts.consecutiveLoopback(3);
        postgres = EmbeddedPostgresServer.start(home, base, home.resolve("postgres.log"));
        DatabaseLogin login = postgres.ensureDatabase("zerogate_policy");
        Map<String, String> env = Map.of("ZEROGATE_POLICY_IDENTITY_URL", TestIdentity.instance().url(),
                "ZEROGATE_POLICY_MASTER_KEY_FILE", home.resolve("policy-master.key").toString());
        replicas.add(ServiceProcess.start("policy-svc", "policy-a", base + 1, login, env, home));
        replicas.add(ServiceProcess.start("policy-svc", "policy-b", base + 2, login, env, home));
        portA = base + 1;
        portB = base + 2;
    }

    @AfterAll
    static void stop() throws Exception {
        for (ServiceProcess replica : replicas) {
            replica.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    static String adminToken() {
        return TestIdentity.instance().token(Claims.user(UUID.randomUUID().toString(), "admins"));
    }

    /** Events of a relay subscription on one replica. */
    static BlockingQueue<Object> watch(GrpcProbe probe, long resumeAfter, List<Context.CancellableContext> open) {
        StreamRecorder<WatchPolicyResponse> recorder = new StreamRecorder<>(WatchPolicyResponse::getEvent);
        Context.CancellableContext context = Context.current().withCancellation();
        open.add(context);
        context.run(() -> GrpcProbe.withBearer(PolicyStreamServiceGrpc.newStub(probe.channel()), adminToken()).watchPolicy(
                WatchPolicyRequest.newBuilder().setSubscriberKind(SubscriberKind.SUBSCRIBER_KIND_RELAY)
                        .setSubscriberId(UUID.randomUUID().toString()).setResumeAfterSequence(resumeAfter).build(),
                recorder));
        return recorder.received();
    }

    static PolicyEvent resourceEvent(BlockingQueue<Object> events, String resourceId) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(15);
        while (Instant.now().isBefore(deadline)) {
            Object item = events.poll(1, TimeUnit.SECONDS);
            if (item instanceof PolicyEvent event) {
                if (event.hasResourceUpserted() && event.getResourceUpserted().getResource().getId().equals(resourceId)) {
                    return event;
                }
            } else if (item != null) {
                fail("the stream ended: " + item);
            }
        }
        return null;
    }

    @Test
    void aChangeThroughOneReplicaReachesSubscribersOfTheOtherAndResumesAnywhere() throws Exception {
        List<Context.CancellableContext> open = new ArrayList<>();
        try (GrpcProbe a = GrpcProbe.connect(portA); GrpcProbe b = GrpcProbe.connect(portB)) {
            BlockingQueue<Object> onB = watch(b, 0, open);
            var adminOnA = GrpcProbe.withBearer(PolicyAdminServiceGrpc.newBlockingStub(a.channel()), adminToken());
            RemoteNetwork home = adminOnA.createRemoteNetwork(CreateRemoteNetworkRequest.newBuilder()
                    .setRemoteNetwork(RemoteNetwork.newBuilder().setName("home")).build()).getRemoteNetwork();
            Resource first = adminOnA.createResource(CreateResourceRequest.newBuilder().setResource(Resource.newBuilder()
                    .setRemoteNetworkId(home.getId()).setName("Pi-hole").setAddress(ResourceAddress.newBuilder().setFqdn("pihole.lan")))
                    .build()).getResource();
            PolicyEvent seenOnB = resourceEvent(onB, first.getId());
            assertNotNull(seenOnB, "a change committed through replica A reached a subscriber of replica B");

            Resource second = adminOnA.createResource(CreateResourceRequest.newBuilder().setResource(Resource.newBuilder()
                    .setRemoteNetworkId(home.getId()).setName("Router").setAddress(ResourceAddress.newBuilder().setIpAddress("192.168.1.1")))
                    .build()).getResource();
            // Resume on replica A from the position replica B gave: only what came after it.
            BlockingQueue<Object> resumedOnA = watch(a, seenOnB.getSequence(), open);
            PolicyEvent next = resourceEvent(resumedOnA, second.getId());
            assertNotNull(next, "resuming on the other replica delivers the next change");
            assertTrue(next.getSequence() > seenOnB.getSequence());
            assertEquals(second, next.getResourceUpserted().getResource());
        } finally {
            open.forEach(context -> context.cancel(null));
        }
    }
}
