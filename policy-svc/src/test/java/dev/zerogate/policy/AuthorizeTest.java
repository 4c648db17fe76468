package dev.zerogate.policy;

import com.google.protobuf.util.Durations;
import dev.zerogate.policy.service.AuditLog;
import dev.zerogate.proto.policy.v1.AccessConditions;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.AuthorizationServiceGrpc;
import dev.zerogate.proto.policy.v1.AuthorizeRequest;
import dev.zerogate.proto.policy.v1.AuthorizeResponse;
import dev.zerogate.proto.policy.v1.CreateAccessRuleRequest;
import dev.zerogate.proto.policy.v1.CreateGroupRequest;
import dev.zerogate.proto.policy.v1.CreateRemoteNetworkRequest;
import dev.zerogate.proto.policy.v1.CreateResourceRequest;
import dev.zerogate.proto.policy.v1.Decision;
import dev.zerogate.proto.policy.v1.DenyReason;
import dev.zerogate.proto.policy.v1.DevicePostureRequirements;
import dev.zerogate.proto.policy.v1.GetGrantSigningKeysRequest;
import dev.zerogate.proto.policy.v1.Group;
import dev.zerogate.proto.policy.v1.GroupMember;
import dev.zerogate.proto.policy.v1.GroupSource;
import dev.zerogate.proto.policy.v1.ListMyResourcesRequest;
import dev.zerogate.proto.policy.v1.ListMyResourcesResponse;
import dev.zerogate.proto.policy.v1.PolicyAdminServiceGrpc;
import dev.zerogate.proto.policy.v1.PortPolicy;
import dev.zerogate.proto.policy.v1.PortRange;
import dev.zerogate.proto.policy.v1.PortRanges;
import dev.zerogate.proto.policy.v1.Protocol;
import dev.zerogate.proto.policy.v1.RemoteNetwork;
import dev.zerogate.proto.policy.v1.Resource;
import dev.zerogate.proto.policy.v1.ResourceAddress;
import dev.zerogate.servicekit.grant.AccessGrantVerifier;
import dev.zerogate.servicekit.grant.GrantClaims;
import dev.zerogate.servicekit.grant.VerifiedGrant;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.identity.TestIdentity;
import dev.zerogate.testkit.identity.TestIdentity.Claims;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AuthorizationService over real gRPC: decisions with their reasons, grants that verify offline
 * against GetGrantSigningKeys, concealment, device binding, bad input, throttling, audit.
 */
@QuarkusTest
@PolicyDatabase
class AuthorizeTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Inject
    Pool pool;

    @Inject
    AuditLog audit;

    GrpcProbe probe;
    PolicyAdminServiceGrpc.PolicyAdminServiceBlockingStub admin;

    /** A home lab of this test's own: names are unique per test so tests do not see each other. */
    String member;
    String tag;
    Resource pihole;
    Resource nas;
    AccessRule mfaRule;
    AccessRule postureRule;

    @BeforeEach
    void homeLab() {
        probe = GrpcProbe.connect(port);
        admin = GrpcProbe.withBearer(PolicyAdminServiceGrpc.newBlockingStub(probe.channel()),
                TestIdentity.instance().token(Claims.user(UUID.randomUUID().toString(), "admins")));
        tag = UUID.randomUUID().toString().substring(0, 8);
        member = UUID.randomUUID().toString();
        RemoteNetwork home = admin.createRemoteNetwork(CreateRemoteNetworkRequest.newBuilder()
                .setRemoteNetwork(RemoteNetwork.newBuilder().setName("home-" + tag)).build()).getRemoteNetwork();
        pihole = admin.createResource(CreateResourceRequest.newBuilder().setResource(Resource.newBuilder()
                .setRemoteNetworkId(home.getId()).setName("Pi-hole " + tag).setAlias("pihole-" + tag + ".zg")
                .setAddress(ResourceAddress.newBuilder().setFqdn("pihole-" + tag + ".lan"))
                .setTcp(PortPolicy.newBuilder().setListed(PortRanges.newBuilder()
                        .addRanges(PortRange.newBuilder().setFirstPort(80).setLastPort(80))
                        .addRanges(PortRange.newBuilder().setFirstPort(443).setLastPort(443))))).build()).getResource();
        nas = admin.createResource(CreateResourceRequest.newBuilder().setResource(Resource.newBuilder()
                .setRemoteNetworkId(home.getId()).setName("NAS " + tag)
                .setAddress(ResourceAddress.newBuilder().setFqdn("nas-" + tag + ".lan"))).build()).getResource();
        Group family = admin.createGroup(CreateGroupRequest.newBuilder().setGroup(Group.newBuilder().setName("family-" + tag)
                .setSource(GroupSource.GROUP_SOURCE_LOCAL).addMembers(GroupMember.newBuilder().setUserId(member))).build()).getGroup();
        mfaRule = admin.createAccessRule(CreateAccessRuleRequest.newBuilder().setRule(AccessRule.newBuilder()
                .setName("family → pihole " + tag).setGroupId(family.getId()).addResourceIds(pihole.getId())
                .setConditions(AccessConditions.newBuilder().setRequireMfa(true).setMaxAuthAge(Durations.fromHours(8)))).build()).getRule();
        postureRule = admin.createAccessRule(CreateAccessRuleRequest.newBuilder().setRule(AccessRule.newBuilder()
                .setName("family → nas " + tag).setGroupId(family.getId()).addResourceIds(nas.getId())
                .setConditions(AccessConditions.newBuilder().setDevice(DevicePostureRequirements.newBuilder()
                        .setRequireDiskEncryption(true)))).build()).getRule();
    }

    @AfterEach
    void close() throws InterruptedException {
        probe.close();
    }

    AuthorizationServiceGrpc.AuthorizationServiceBlockingStub as(Claims claims) {
        return GrpcProbe.withBearer(AuthorizationServiceGrpc.newBlockingStub(probe.channel()), TestIdentity.instance().token(claims));
    }

    static AuthorizeRequest tcp(String device, String destination, int port) {
        return AuthorizeRequest.newBuilder().setDeviceId(device).setDestination(destination).setPort(port)
                .setProtocol(Protocol.PROTOCOL_TCP).build();
    }

    static Status.Code code(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(StatusRuntimeException.class, call).getStatus().getCode();
    }

    @Test
    void aPermitCarriesAGrantThatVerifiesOfflineAndNamesTheFlow() throws Exception {
        String device = UUID.randomUUID().toString();
        String jkt = "thumb-" + tag;
        Claims claims = Claims.user(member).withAmr("pwd", "otp").withDevice(device, jkt);
        AuthorizeResponse response = as(claims).authorize(tcp(device, "pihole-" + tag + ".zg", 443));

        assertEquals(Decision.DECISION_PERMIT, response.getDecision(), response.getReason());
        assertEquals(mfaRule.getId(), response.getMatchedRuleId());
        assertEquals(pihole.getId(), response.getResourceId());
        assertTrue(response.getReason().contains(mfaRule.getName()), response.getReason());

        String jwks = AuthorizationServiceGrpc.newBlockingStub(probe.channel())
                .getGrantSigningKeys(GetGrantSigningKeysRequest.getDefaultInstance()).getJwksJson();
        AccessGrantVerifier connector = new AccessGrantVerifier("zerogate-policy", GrantClaims.CONNECTOR_AUDIENCE);
        VerifiedGrant grant = connector.verify(response.getGrant().getToken(), jwks);
        assertEquals(response.getDecisionId(), grant.decisionId());
        assertEquals(member, grant.subject());
        assertEquals(pihole.getId(), grant.resourceId());
        assertEquals(pihole.getRemoteNetworkId(), grant.networkId());
        assertEquals(443, grant.port());
        assertEquals(jkt, grant.keyThumbprint());
        connector.checkFlow(grant, "pihole-" + tag + ".zg", "tcp", 443, jkt);
        assertTrue(grant.expiresAt().isAfter(Instant.now()) && !grant.expiresAt().isAfter(Instant.now().plusSeconds(301)));

        audit.flush().await().indefinitely();
        Row row = pool.preparedQuery("SELECT outcome, target_id, rule_id FROM audit_events WHERE id = $1")
                .execute(Tuple.of(UUID.fromString(response.getDecisionId()))).await().indefinitely().iterator().next();
        assertEquals("AUDIT_OUTCOME_PERMIT", row.getString("outcome"));
        assertEquals(pihole.getId(), row.getString("target_id"));
        assertEquals(mfaRule.getId(), row.getString("rule_id"));
    }

    @Test
    void eachUnmetConditionDeniesWithAReasonAPersonCanActOn() {
        String device = UUID.randomUUID().toString();
        Claims base = Claims.user(member).withDevice(device, "thumb");
        AuthorizeResponse noMfa = as(base.withAmr("pwd")).authorize(tcp(device, "pihole-" + tag + ".lan", 80));
        assertEquals(DenyReason.DENY_REASON_MFA_REQUIRED, noMfa.getDenyReason());
        assertEquals(mfaRule.getId(), noMfa.getMatchedRuleId());
        assertFalse(noMfa.hasGrant());
        assertTrue(noMfa.getReason().toLowerCase().contains("mfa"), noMfa.getReason());

        AuthorizeResponse old = as(base.withAmr("otp").withAuthTime(Instant.now().minus(11, ChronoUnit.HOURS)))
                .authorize(tcp(device, "pihole-" + tag + ".lan", 80));
        assertEquals(DenyReason.DENY_REASON_AUTH_TOO_OLD, old.getDenyReason());
        assertTrue(old.getReason().contains("11 h") && old.getReason().contains("8 h"), old.getReason());
        assertTrue(old.getReason().contains("zerogate login"), old.getReason());

        AuthorizeResponse port = as(base.withAmr("otp")).authorize(tcp(device, "pihole-" + tag + ".lan", 22));
        assertEquals(DenyReason.DENY_REASON_PORT_NOT_ALLOWED, port.getDenyReason());
        assertEquals("", port.getMatchedRuleId());

        AuthorizeResponse posture = as(base).authorize(tcp(device, "nas-" + tag + ".lan", 445));
        assertEquals(DenyReason.DENY_REASON_DEVICE_POSTURE, posture.getDenyReason());
        assertEquals(postureRule.getId(), posture.getMatchedRuleId());
        assertTrue(posture.getReason().toLowerCase().contains("encrypt"), posture.getReason());
    }

    @Test
    void aStrangerLearnsNothingAboutResourcesTheyCannotReachButTheAuditLogDoes() {
        String device = UUID.randomUUID().toString();
        AuthorizeResponse denied = as(Claims.user(UUID.randomUUID().toString()).withAmr("otp").withDevice(device, "t"))
                .authorize(tcp(device, "pihole-" + tag + ".lan", 443));
        AuthorizeResponse nothing = as(Claims.user(UUID.randomUUID().toString()).withAmr("otp").withDevice(device, "t"))
                .authorize(tcp(device, "nothing-" + tag + ".lan", 443));
        assertEquals(DenyReason.DENY_REASON_NO_MATCHING_RESOURCE, denied.getDenyReason());
        assertEquals("", denied.getResourceId());
        assertEquals("", denied.getRemoteNetworkId());
        assertEquals(nothing.getReason().replace("nothing-", "pihole-"), denied.getReason(),
                "a hidden resource and no resource read the same");

        audit.flush().await().indefinitely();
        String target = pool.preparedQuery("SELECT target_id FROM audit_events WHERE id = $1")
                .execute(Tuple.of(UUID.fromString(denied.getDecisionId()))).await().indefinitely().iterator().next().getString(0);
        assertEquals(pihole.getId(), target, "admins can see what was asked for");
    }

    @Test
    void aGrantNeedsASignInBoundToADeviceKey() {
        AuthorizeResponse unbound = as(Claims.user(member).withAmr("otp")).authorize(tcp("", "pihole-" + tag + ".lan", 443));
        assertEquals(Decision.DECISION_DENY, unbound.getDecision());
        assertEquals(DenyReason.DENY_REASON_DEVICE_REQUIRED, unbound.getDenyReason());
        assertTrue(unbound.getReason().contains("zerogate login"), unbound.getReason());
    }

    @Test
    void theDeviceMustBeTheOneTheTokenIsBoundTo() {
        String device = UUID.randomUUID().toString();
        Claims bound = Claims.user(member).withAmr("otp").withDevice(device, "t");
        assertEquals(Status.Code.PERMISSION_DENIED, code(() -> as(bound).authorize(tcp(UUID.randomUUID().toString(), "pihole-" + tag + ".lan", 443))));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> as(bound).authorize(tcp("", "pihole-" + tag + ".lan", 443))));
        assertEquals(Status.Code.PERMISSION_DENIED, code(() -> as(Claims.user(member).withAmr("otp"))
                .authorize(tcp(device, "pihole-" + tag + ".lan", 443))));
        assertEquals(Status.Code.PERMISSION_DENIED, code(() -> as(Claims.connector(UUID.randomUUID().toString()))
                .authorize(tcp("", "pihole-" + tag + ".lan", 443))));
    }

    @Test
    void malformedRequestsAreInvalidArguments() {
        String device = UUID.randomUUID().toString();
        var stub = as(Claims.user(member).withAmr("otp").withDevice(device, "t"));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.authorize(tcp(device, "not a host!", 443))));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.authorize(tcp(device, "pihole-" + tag + ".lan", 70000))));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.authorize(tcp(device, "pihole-" + tag + ".lan", 0))));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.authorize(tcp(device, "pihole-" + tag + ".lan", 443).toBuilder()
                .setProtocol(Protocol.PROTOCOL_UNSPECIFIED).build())));
        assertEquals(Status.Code.UNAUTHENTICATED, code(() -> AuthorizationServiceGrpc.newBlockingStub(probe.channel())
                .authorize(tcp(device, "pihole-" + tag + ".lan", 443))));
    }

    @Test
    void aCallerStuckInALoopIsThrottled() throws Exception {
        String device = UUID.randomUUID().toString();
        String token = TestIdentity.instance().token(Claims.user(UUID.randomUUID().toString()).withDevice(device, "t"));
        var stub = GrpcProbe.withBearer(AuthorizationServiceGrpc.newFutureStub(probe.channel()), token);
        long started = System.nanoTime();
        java.util.List<com.google.common.util.concurrent.ListenableFuture<AuthorizeResponse>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            calls.add(stub.authorize(tcp(device, "pihole-" + tag + ".lan", 443)));
        }
        int answered = 0;
        int throttled = 0;
        for (var call : calls) {
            try {
                call.get(30, java.util.concurrent.TimeUnit.SECONDS);
                answered++;
            } catch (java.util.concurrent.ExecutionException e) {
                StatusRuntimeException status = (StatusRuntimeException) e.getCause();
                assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getStatus().getCode());
                assertTrue(status.getStatus().getDescription().contains("50 decisions per second"));
                throttled++;
            }
        }
        long seconds = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        assertTrue(throttled > 0, "200 calls at once go past 50 per second");
        assertTrue(answered <= 50 * (seconds + 2), answered + " answered in about " + seconds + " s");
    }

    @Test
    void listMyResourcesSaysWhatICanReachAndWhatIsMissing() {
        String device = UUID.randomUUID().toString();
        ListMyResourcesResponse mine = as(Claims.user(member).withAmr("pwd").withDevice(device, "t"))
                .listMyResources(ListMyResourcesRequest.newBuilder().setDeviceId(device).build());
        assertEquals(2, mine.getResourcesCount(), mine.toString());
        var first = mine.getResources(0);
        assertEquals("nas-" + tag + ".lan", first.getConnectName(), "ordered by the name to use");
        var piholeEntry = mine.getResources(1);
        assertEquals("pihole-" + tag + ".zg", piholeEntry.getConnectName(), "the alias is the name to use");
        assertEquals("home-" + tag, piholeEntry.getRemoteNetworkName());
        assertEquals(mfaRule.getId(), piholeEntry.getAllowedBy(0).getRuleId());
        assertTrue(piholeEntry.getUnmetConditionsList().stream().anyMatch(c -> c.toLowerCase().contains("mfa")),
                piholeEntry.getUnmetConditionsList().toString());

        ListMyResourcesResponse stranger = as(Claims.user(UUID.randomUUID().toString()))
                .listMyResources(ListMyResourcesRequest.getDefaultInstance());
        assertEquals(0, stranger.getResourcesCount());
    }
}
