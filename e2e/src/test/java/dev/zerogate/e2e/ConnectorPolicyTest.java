package dev.zerogate.e2e;

import com.google.protobuf.FieldMask;
import dev.zerogate.connector.policy.FlowPolicy;
import dev.zerogate.connector.policy.PolicyMirror;
import dev.zerogate.connector.policy.PolicyStreamClient;
import dev.zerogate.connector.policy.PolicyView;
import dev.zerogate.connector.policy.FlowVerdict;
import dev.zerogate.runkit.DatabaseLogin;
import dev.zerogate.runkit.EmbeddedPostgresServer;
import dev.zerogate.policy.engine.model.Protocol;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.AuthorizationServiceGrpc;
import dev.zerogate.proto.policy.v1.AuthorizeRequest;
import dev.zerogate.proto.policy.v1.AuthorizeResponse;
import dev.zerogate.proto.policy.v1.Connector;
import dev.zerogate.proto.policy.v1.CreateAccessRuleRequest;
import dev.zerogate.proto.policy.v1.CreateConnectorRequest;
import dev.zerogate.proto.policy.v1.CreateGroupRequest;
import dev.zerogate.proto.policy.v1.CreateRemoteNetworkRequest;
import dev.zerogate.proto.policy.v1.CreateResourceRequest;
import dev.zerogate.proto.policy.v1.Decision;
import dev.zerogate.proto.policy.v1.DeleteConnectorRequest;
import dev.zerogate.proto.policy.v1.GetGrantSigningKeysRequest;
import dev.zerogate.proto.policy.v1.Group;
import dev.zerogate.proto.policy.v1.GroupMember;
import dev.zerogate.proto.policy.v1.GroupSource;
import dev.zerogate.proto.policy.v1.PolicyAdminServiceGrpc;
import dev.zerogate.proto.policy.v1.PortPolicy;
import dev.zerogate.proto.policy.v1.PortRange;
import dev.zerogate.proto.policy.v1.PortRanges;
import dev.zerogate.proto.policy.v1.RemoteNetwork;
import dev.zerogate.proto.policy.v1.Resource;
import dev.zerogate.proto.policy.v1.ResourceAddress;
import dev.zerogate.proto.policy.v1.UpdateGroupRequest;
import dev.zerogate.servicekit.grant.AccessGrantVerifier;
import dev.zerogate.servicekit.grant.GrantClaims;
import dev.zerogate.servicekit.grant.VerifiedGrant;
import dev.zerogate.testkit.FreePorts;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.identity.TestIdentity;
import dev.zerogate.testkit.identity.TestIdentity.Claims;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * connector-svc's copy of the policy following the packaged policy-svc (a process, on its own
 * PostgreSQL): the stream client subscribes with a connector's access token (testkit's
 * TestIdentity, as identity-svc would issue it), a real grant from Authorize passes the double
 * check, and an admin's change closes the flow within the second the stream promises.
 */
class ConnectorPolicyTest {

    @TempDir
    static Path home;

    static EmbeddedPostgresServer postgres;
    static ServiceProcess policy;

    @BeforeAll
    static void startPolicySvc() throws Exception {
        int base = FreePorts.consecutiveLoopback(2);
        postgres = EmbeddedPostgresServer.start(home, base, home.resolve("postgres.log"));
        DatabaseLogin login = postgres.ensureDatabase("zerogate_policy");
        policy = ServiceProcess.start("policy-svc", "policy", base + 1, login, Map.of(
                "ZEROGATE_POLICY_IDENTITY_URL", TestIdentity.instance().url(),
                "ZEROGATE_POLICY_MASTER_KEY_FILE", home.resolve("policy-master.key").toString()), home);
    }

    @AfterAll
    static void stop() throws Exception {
        if (policy != null) {
            policy.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    static void await(String what, Duration within, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + within.toMillis() + " ms: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void theConnectorsCopyFollowsPolicySvcAndClosesWhatItNoLongerAllows() throws Exception {
        try (GrpcProbe probe = GrpcProbe.connect(policy.port())) {
            var admin = GrpcProbe.withBearer(PolicyAdminServiceGrpc.newBlockingStub(probe.channel()),
                    TestIdentity.instance().token(Claims.user(UUID.randomUUID().toString(), "admins")));
            RemoteNetwork homeNetwork = admin.createRemoteNetwork(CreateRemoteNetworkRequest.newBuilder()
                    .setRemoteNetwork(RemoteNetwork.newBuilder().setName("home")).build()).getRemoteNetwork();
            RemoteNetwork office = admin.createRemoteNetwork(CreateRemoteNetworkRequest.newBuilder()
                    .setRemoteNetwork(RemoteNetwork.newBuilder().setName("office")).build()).getRemoteNetwork();
            Connector pi = admin.createConnector(CreateConnectorRequest.newBuilder().setConnector(Connector.newBuilder()
                    .setRemoteNetworkId(homeNetwork.getId())).build()).getConnector();
            Resource pihole = admin.createResource(CreateResourceRequest.newBuilder().setResource(Resource.newBuilder()
                    .setRemoteNetworkId(homeNetwork.getId()).setName("Pi-hole admin").setAlias("pihole.zg")
                    .setAddress(ResourceAddress.newBuilder().setFqdn("pihole.lan"))
                    .setTcp(PortPolicy.newBuilder().setListed(PortRanges.newBuilder()
                            .addRanges(PortRange.newBuilder().setFirstPort(443).setLastPort(443))))).build()).getResource();
            Resource printer = admin.createResource(CreateResourceRequest.newBuilder().setResource(Resource.newBuilder()
                    .setRemoteNetworkId(office.getId()).setName("Printer")
                    .setAddress(ResourceAddress.newBuilder().setIpAddress("10.1.0.9"))).build()).getResource();
            String alice = UUID.randomUUID().toString();
            String bob = UUID.randomUUID().toString();
            Group family = admin.createGroup(CreateGroupRequest.newBuilder().setGroup(Group.newBuilder().setName("family")
                    .setSource(GroupSource.GROUP_SOURCE_LOCAL).addMembers(GroupMember.newBuilder().setUserId(alice))
                    .addMembers(GroupMember.newBuilder().setUserId(bob))).build()).getGroup();
            AccessRule rule = admin.createAccessRule(CreateAccessRuleRequest.newBuilder().setRule(AccessRule.newBuilder()
                    .setName("family → pihole").setGroupId(family.getId()).addResourceIds(pihole.getId())).build()).getRule();

            // The connector: its copy, its double check, its stream with a fresh connector token per call.
            PolicyMirror mirror = new PolicyMirror();
            FlowPolicy flows = new FlowPolicy(homeNetwork.getId(), pi.getId(), mirror, Clock.systemUTC(),
                    AccessGrantVerifier.DEFAULT_CLOCK_SKEW);
            BlockingQueue<PolicyView> views = new LinkedBlockingQueue<>();
            mirror.addListener(views::add);
            try (PolicyStreamClient stream = new PolicyStreamClient(probe.channel(), pi.getId(), homeNetwork.getId(),
                    () -> TestIdentity.instance().token(Claims.connector(pi.getId())), mirror, PolicyStreamClient.Settings.DEFAULT)) {
                stream.start();
                await("the first snapshot", Duration.ofSeconds(15), stream::isSynced);
                PolicyView synced = mirror.view();
                assertTrue(synced.resource(pihole.getId()).isPresent());
                assertTrue(synced.resource(printer.getId()).isEmpty(), "another network's resources are not in its copy");
                assertTrue(synced.rule(rule.getId()).isPresent());

                // Alice asks policy-svc; the connector verifies her grant offline, then checks it again.
                String device = UUID.randomUUID().toString();
                String jkt = "alices-device-key";
                AuthorizeResponse permit = GrpcProbe.withBearer(AuthorizationServiceGrpc.newBlockingStub(probe.channel()),
                                TestIdentity.instance().token(Claims.user(alice).withDevice(device, jkt)))
                        .authorize(AuthorizeRequest.newBuilder().setDeviceId(device).setDestination("pihole.zg").setPort(443)
                                .setProtocol(dev.zerogate.proto.policy.v1.Protocol.PROTOCOL_TCP).build());
                assertEquals(Decision.DECISION_PERMIT, permit.getDecision(), permit.getReason());
                String jwks = AuthorizationServiceGrpc.newBlockingStub(probe.channel())
                        .getGrantSigningKeys(GetGrantSigningKeysRequest.getDefaultInstance()).getJwksJson();
                AccessGrantVerifier verifier = new AccessGrantVerifier("zerogate-policy", GrantClaims.CONNECTOR_AUDIENCE);
                VerifiedGrant grant = verifier.verify(permit.getGrant().getToken(), jwks);
                verifier.checkFlow(grant, "pihole.zg", "tcp", 443, jkt);
                FlowVerdict open = flows.check(grant, "pihole.zg", 443, Protocol.TCP);
                assertTrue(open.allowed(), open.toString());

                // The admin takes Alice out of the family: the stream brings it, the flow is refused.
                views.clear();
                long changed = System.nanoTime();
                admin.updateGroup(UpdateGroupRequest.newBuilder().setGroup(family.toBuilder().clearMembers()
                        .addMembers(GroupMember.newBuilder().setUserId(bob))).setUpdateMask(FieldMask.newBuilder().addPaths("members")).build());
                PolicyView after = views.poll(5, TimeUnit.SECONDS);
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - changed);
                assertTrue(after != null, "the change reached the connector's listeners");
                FlowVerdict closed = flows.check(after, grant, "pihole.zg", 443, Protocol.TCP);
                assertFalse(closed.allowed());
                assertEquals(FlowVerdict.Reason.POLICY_DENIED, closed.reason());
                assertEquals("rule 'family → pihole' no longer includes you", closed.message());
                assertTrue(tookMillis < 1000, "within the second the stream promises, took " + tookMillis + " ms");

                // Deleting the connector revokes it: every flow is refused, and its stream is cut.
                long position = stream.position();
                admin.deleteConnector(DeleteConnectorRequest.newBuilder().setId(pi.getId()).build());
                await("the connector's revocation", Duration.ofSeconds(5), () -> !flows.check(grant, "pihole.zg", 443, Protocol.TCP)
                        .message().contains("no longer includes you"));
                assertEquals("this connector was revoked", flows.check(grant, "pihole.zg", 443, Protocol.TCP).message());
                assertTrue(stream.position() > position);
                assertTrue(stream.isSynced(), "it keeps its last copy (refusing everything) while policy-svc refuses it");
            }
        }
    }
}
