package dev.zerogate.policy;

import com.google.protobuf.FieldMask;
import com.google.protobuf.util.Durations;
import dev.zerogate.proto.policy.v1.AccessConditions;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.Connector;
import dev.zerogate.proto.policy.v1.CreateAccessRuleRequest;
import dev.zerogate.proto.policy.v1.CreateConnectorRequest;
import dev.zerogate.proto.policy.v1.CreateGroupRequest;
import dev.zerogate.proto.policy.v1.CreateRemoteNetworkRequest;
import dev.zerogate.proto.policy.v1.CreateResourceRequest;
import dev.zerogate.proto.policy.v1.DeleteAccessRuleRequest;
import dev.zerogate.proto.policy.v1.DeleteGroupRequest;
import dev.zerogate.proto.policy.v1.DeleteRemoteNetworkRequest;
import dev.zerogate.proto.policy.v1.DeleteResourceRequest;
import dev.zerogate.proto.policy.v1.GetRemoteNetworkRequest;
import dev.zerogate.proto.policy.v1.GetResourceRequest;
import dev.zerogate.proto.policy.v1.Group;
import dev.zerogate.proto.policy.v1.GroupMember;
import dev.zerogate.proto.policy.v1.GroupSource;
import dev.zerogate.proto.policy.v1.ListGroupsRequest;
import dev.zerogate.proto.policy.v1.ListResourcesRequest;
import dev.zerogate.proto.policy.v1.ListResourcesResponse;
import dev.zerogate.proto.policy.v1.PolicyAdminServiceGrpc;
import dev.zerogate.proto.policy.v1.PortPolicy;
import dev.zerogate.proto.policy.v1.PortRange;
import dev.zerogate.proto.policy.v1.PortRanges;
import dev.zerogate.proto.policy.v1.RemoteNetwork;
import dev.zerogate.proto.policy.v1.Resource;
import dev.zerogate.proto.policy.v1.ResourceAddress;
import dev.zerogate.proto.policy.v1.UpdateAccessRuleRequest;
import dev.zerogate.proto.policy.v1.UpdateGroupRequest;
import dev.zerogate.proto.policy.v1.UpdateRemoteNetworkRequest;
import dev.zerogate.proto.policy.v1.UpdateResourceRequest;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.identity.TestIdentity;
import dev.zerogate.testkit.identity.TestIdentity.Claims;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PolicyAdminService over real gRPC, against a real PostgreSQL: roles, validation, etags, references, paging, audit. */
@QuarkusTest
@PolicyDatabase
class PolicyAdminTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Inject
    Pool pool;

    GrpcProbe probe;
    PolicyAdminServiceGrpc.PolicyAdminServiceBlockingStub admin;
    String adminId;

    @BeforeEach
    void connect() {
        probe = GrpcProbe.connect(port);
        adminId = UUID.randomUUID().toString();
        admin = as(TestIdentity.instance().token(Claims.user(adminId, "admins")));
    }

    @AfterEach
    void close() throws InterruptedException {
        probe.close();
    }

    PolicyAdminServiceGrpc.PolicyAdminServiceBlockingStub as(String token) {
        return GrpcProbe.withBearer(PolicyAdminServiceGrpc.newBlockingStub(probe.channel()), token);
    }

    static StatusRuntimeException refused(Executable call) {
        return assertThrows(StatusRuntimeException.class, call);
    }

    static void assertRefused(Status.Code code, String messagePart, Executable call) {
        StatusRuntimeException e = refused(call);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().getDescription());
        assertTrue(e.getStatus().getDescription() != null && e.getStatus().getDescription().contains(messagePart),
                "expected '" + messagePart + "' in: " + e.getStatus().getDescription());
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    RemoteNetwork network() {
        return admin.createRemoteNetwork(CreateRemoteNetworkRequest.newBuilder()
                .setRemoteNetwork(RemoteNetwork.newBuilder().setName(unique("home"))).build()).getRemoteNetwork();
    }

    Resource resource(RemoteNetwork network, ResourceAddress address) {
        return admin.createResource(CreateResourceRequest.newBuilder().setResource(Resource.newBuilder()
                .setRemoteNetworkId(network.getId()).setName(unique("res")).setAddress(address)).build()).getResource();
    }

    static ResourceAddress fqdn(String name) {
        return ResourceAddress.newBuilder().setFqdn(name).build();
    }

    static String host() {
        return UUID.randomUUID().toString().substring(0, 8) + ".lan";
    }

    Group localGroup(String... userIds) {
        Group.Builder group = Group.newBuilder().setName(unique("family")).setSource(GroupSource.GROUP_SOURCE_LOCAL);
        for (String user : userIds) {
            group.addMembers(GroupMember.newBuilder().setUserId(user));
        }
        return admin.createGroup(CreateGroupRequest.newBuilder().setGroup(group).build()).getGroup();
    }

    long auditRows(String action, String targetId) {
        return pool.preparedQuery("SELECT count(*) FROM audit_events WHERE action = $1 AND target_id = $2 AND actor_id = $3")
                .execute(Tuple.of(action, targetId, adminId)).await().indefinitely().iterator().next().getLong(0);
    }

    @Test
    void callersWithoutAValidAdminTokenAreRefused() {
        var list = ListGroupsRequest.getDefaultInstance();
        assertRefused(Status.Code.UNAUTHENTICATED, "missing bearer", () -> PolicyAdminServiceGrpc.newBlockingStub(probe.channel())
                .listGroups(list));
        assertRefused(Status.Code.PERMISSION_DENIED, "admins",
                () -> as(TestIdentity.instance().token(Claims.user(UUID.randomUUID().toString(), "family"))).listGroups(list));
        assertRefused(Status.Code.PERMISSION_DENIED, "admins",
                () -> as(TestIdentity.instance().token(Claims.serviceAccount(UUID.randomUUID().toString()))).listGroups(list));
        assertRefused(Status.Code.UNAUTHENTICATED, "expired",
                () -> as(TestIdentity.instance().token(Claims.user(adminId, "admins").withLifetime(Duration.ofMinutes(-5))))
                        .listGroups(list));
        String token = TestIdentity.instance().token(Claims.user(adminId, "admins"));
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + parts[1] + "." + (parts[2].startsWith("A") ? "B" : "A") + parts[2].substring(1);
        assertRefused(Status.Code.UNAUTHENTICATED, "access token refused", () -> as(forged).listGroups(list));
        assertRefused(Status.Code.UNAUTHENTICATED, "access token refused", () -> as("not-a-jwt").listGroups(list));
    }

    @Test
    void networkNamesAreUniqueIgnoringCaseAndUpdatesNeedTheCurrentEtag() {
        RemoteNetwork home = network();
        assertEquals(home, admin.getRemoteNetwork(GetRemoteNetworkRequest.newBuilder().setId(home.getId()).build()).getRemoteNetwork());
        assertRefused(Status.Code.ALREADY_EXISTS, "already exists", () -> admin.createRemoteNetwork(CreateRemoteNetworkRequest
                .newBuilder().setRemoteNetwork(RemoteNetwork.newBuilder().setName(home.getName().toUpperCase())).build()));
        assertRefused(Status.Code.INVALID_ARGUMENT, "name", () -> admin.createRemoteNetwork(CreateRemoteNetworkRequest.newBuilder()
                .setRemoteNetwork(RemoteNetwork.newBuilder().setName("   ")).build()));

        RemoteNetwork renamed = admin.updateRemoteNetwork(UpdateRemoteNetworkRequest.newBuilder()
                .setRemoteNetwork(home.toBuilder().setName(home.getName() + " (lan)"))
                .setUpdateMask(FieldMask.newBuilder().addPaths("name")).build()).getRemoteNetwork();
        assertEquals(home.getName() + " (lan)", renamed.getName());
        assertNotEquals(home.getEtag(), renamed.getEtag());
        assertRefused(Status.Code.FAILED_PRECONDITION, "etag", () -> admin.updateRemoteNetwork(UpdateRemoteNetworkRequest.newBuilder()
                .setRemoteNetwork(home.toBuilder().setDescription("stale"))
                .setUpdateMask(FieldMask.newBuilder().addPaths("description")).build()));
        assertRefused(Status.Code.INVALID_ARGUMENT, "update_mask", () -> admin.updateRemoteNetwork(UpdateRemoteNetworkRequest
                .newBuilder().setRemoteNetwork(renamed).setUpdateMask(FieldMask.newBuilder().addPaths("created_at")).build()));
        assertRefused(Status.Code.INVALID_ARGUMENT, "update_mask", () -> admin.updateRemoteNetwork(UpdateRemoteNetworkRequest
                .newBuilder().setRemoteNetwork(renamed).build()));
        assertEquals(1, auditRows("policy.remote_network.update", home.getId()));
    }

    @Test
    void aNetworkWithResourcesCannotBeDeletedAndAnEmptyOneCan() {
        RemoteNetwork home = network();
        Resource pihole = resource(home, fqdn(host()));
        assertRefused(Status.Code.FAILED_PRECONDITION, "1 resource", () -> admin.deleteRemoteNetwork(DeleteRemoteNetworkRequest
                .newBuilder().setId(home.getId()).build()));
        admin.deleteResource(DeleteResourceRequest.newBuilder().setId(pihole.getId()).setEtag(pihole.getEtag()).build());
        admin.deleteRemoteNetwork(DeleteRemoteNetworkRequest.newBuilder().setId(home.getId()).build());
        assertRefused(Status.Code.NOT_FOUND, home.getId(), () -> admin.getRemoteNetwork(GetRemoteNetworkRequest.newBuilder()
                .setId(home.getId()).build()));
        assertEquals(1, auditRows("policy.remote_network.delete", home.getId()));
    }

    @Test
    void resourcesAreNormalisedAndBadAddressesPortsAndReferencesAreRefused() {
        RemoteNetwork home = network();
        String name = host();
        Resource pihole = resource(home, fqdn(name.toUpperCase()));
        assertEquals(name, pihole.getAddress().getFqdn());
        assertTrue(pihole.getTcp().hasAll(), "unset port policy means all");
        Resource lan = resource(home, ResourceAddress.newBuilder().setCidr("10." + (int) (Math.random() * 200) + ".7.9/24").build());
        assertTrue(lan.getAddress().getCidr().endsWith(".7.0/24"), lan.getAddress().getCidr());

        Resource.Builder bad = Resource.newBuilder().setRemoteNetworkId(home.getId()).setName(unique("bad"));
        assertRefused(Status.Code.INVALID_ARGUMENT, "address", () -> admin.createResource(CreateResourceRequest.newBuilder()
                .setResource(bad.clone().setAddress(fqdn("no spaces.lan"))).build()));
        assertRefused(Status.Code.INVALID_ARGUMENT, "address", () -> admin.createResource(CreateResourceRequest.newBuilder()
                .setResource(bad.clone().setAddress(ResourceAddress.newBuilder().setCidr("10.0.0.0/4"))).build()));
        assertRefused(Status.Code.INVALID_ARGUMENT, "address", () -> admin.createResource(CreateResourceRequest.newBuilder()
                .setResource(bad.clone()).build()));
        assertRefused(Status.Code.INVALID_ARGUMENT, "tcp", () -> admin.createResource(CreateResourceRequest.newBuilder()
                .setResource(bad.clone().setAddress(fqdn(host())).setTcp(PortPolicy.newBuilder().setListed(PortRanges.newBuilder()
                        .addRanges(PortRange.newBuilder().setFirstPort(80).setLastPort(70000))))).build()));
        assertRefused(Status.Code.ALREADY_EXISTS, "address", () -> admin.createResource(CreateResourceRequest.newBuilder()
                .setResource(bad.clone().setAddress(fqdn(name))).build()));
        assertRefused(Status.Code.FAILED_PRECONDITION, "remote network", () -> admin.createResource(CreateResourceRequest.newBuilder()
                .setResource(bad.clone().setRemoteNetworkId(UUID.randomUUID().toString()).setAddress(fqdn(host()))).build()));
        assertRefused(Status.Code.INVALID_ARGUMENT, "remote_network_id", () -> admin.createResource(CreateResourceRequest.newBuilder()
                .setResource(bad.clone().setRemoteNetworkId("not-a-uuid").setAddress(fqdn(host()))).build()));
        assertEquals(1, auditRows("policy.resource.create", pihole.getId()));
    }

    @Test
    void listedPortsAreMergedAndAnUpdateReplacesOnlyTheMaskedFields() {
        RemoteNetwork home = network();
        Resource router = resource(home, ResourceAddress.newBuilder().setIpAddress("192.168." + (int) (Math.random() * 250) + ".1").build());
        Resource updated = admin.updateResource(UpdateResourceRequest.newBuilder()
                .setResource(router.toBuilder().setName("ignored because not in the mask").setTcp(PortPolicy.newBuilder()
                        .setListed(PortRanges.newBuilder()
                                .addRanges(PortRange.newBuilder().setFirstPort(443).setLastPort(443))
                                .addRanges(PortRange.newBuilder().setFirstPort(80).setLastPort(90))
                                .addRanges(PortRange.newBuilder().setFirstPort(85).setLastPort(100)))))
                .setUpdateMask(FieldMask.newBuilder().addPaths("tcp")).build()).getResource();
        assertEquals(router.getName(), updated.getName());
        assertEquals(2, updated.getTcp().getListed().getRangesCount(), updated.getTcp().toString());
        assertEquals(80, updated.getTcp().getListed().getRanges(0).getFirstPort());
        assertEquals(100, updated.getTcp().getListed().getRanges(0).getLastPort());
        assertEquals(updated, admin.getResource(GetResourceRequest.newBuilder().setId(router.getId()).build()).getResource());
    }

    @Test
    void rulesNeedExistingGroupsAndResourcesAndWhatRulesReferenceCannotBeDeleted() {
        RemoteNetwork home = network();
        Resource pihole = resource(home, fqdn(host()));
        Group family = localGroup(UUID.randomUUID().toString());
        AccessRule.Builder rule = AccessRule.newBuilder().setName(unique("family → pihole")).setGroupId(family.getId())
                .addResourceIds(pihole.getId());
        assertRefused(Status.Code.FAILED_PRECONDITION, "group", () -> admin.createAccessRule(CreateAccessRuleRequest.newBuilder()
                .setRule(rule.clone().setGroupId(UUID.randomUUID().toString())).build()));
        assertRefused(Status.Code.FAILED_PRECONDITION, "resource", () -> admin.createAccessRule(CreateAccessRuleRequest.newBuilder()
                .setRule(rule.clone().addResourceIds(UUID.randomUUID().toString())).build()));
        assertRefused(Status.Code.INVALID_ARGUMENT, "subject", () -> admin.createAccessRule(CreateAccessRuleRequest.newBuilder()
                .setRule(rule.clone().clearSubject()).build()));
        assertRefused(Status.Code.INVALID_ARGUMENT, "max_auth_age", () -> admin.createAccessRule(CreateAccessRuleRequest.newBuilder()
                .setRule(rule.clone().setConditions(AccessConditions.newBuilder().setMaxAuthAge(Durations.fromSeconds(5)))).build()));
        assertRefused(Status.Code.INVALID_ARGUMENT, "never match", () -> admin.createAccessRule(CreateAccessRuleRequest.newBuilder()
                .setRule(rule.clone().setConditions(AccessConditions.newBuilder()
                        .setExpiresAt(com.google.protobuf.util.Timestamps.fromSeconds(1_000_000_000L)))).build()));

        AccessRule created = admin.createAccessRule(CreateAccessRuleRequest.newBuilder().setRule(rule).build()).getRule();
        assertRefused(Status.Code.FAILED_PRECONDITION, created.getName(), () -> admin.deleteResource(DeleteResourceRequest.newBuilder()
                .setId(pihole.getId()).build()));
        assertRefused(Status.Code.FAILED_PRECONDITION, created.getName(), () -> admin.deleteGroup(DeleteGroupRequest.newBuilder()
                .setId(family.getId()).build()));

        AccessRule mfa = admin.updateAccessRule(UpdateAccessRuleRequest.newBuilder()
                .setRule(created.toBuilder().setConditions(AccessConditions.newBuilder().setRequireMfa(true)))
                .setUpdateMask(FieldMask.newBuilder().addPaths("conditions.require_mfa")).build()).getRule();
        assertTrue(mfa.getConditions().getRequireMfa());
        assertEquals(created.getCreatedAt(), mfa.getCreatedAt(), "created_at orders evaluation and never changes");

        admin.deleteAccessRule(DeleteAccessRuleRequest.newBuilder().setId(created.getId()).setEtag(mfa.getEtag()).build());
        admin.deleteResource(DeleteResourceRequest.newBuilder().setId(pihole.getId()).build());
        admin.deleteGroup(DeleteGroupRequest.newBuilder().setId(family.getId()).build());
        assertEquals(1, auditRows("policy.access_rule.delete", created.getId()));
    }

    @Test
    void idpSyncGroupsHaveNoEditableMembersAndTheirIdpNameIsUnique() {
        String upstream = unique("homelab-family");
        Group synced = admin.createGroup(CreateGroupRequest.newBuilder().setGroup(Group.newBuilder().setName(unique("family"))
                .setSource(GroupSource.GROUP_SOURCE_IDP_SYNC).setIdpGroupName(upstream)).build()).getGroup();
        assertRefused(Status.Code.FAILED_PRECONDITION, "read-only", () -> admin.updateGroup(UpdateGroupRequest.newBuilder()
                .setGroup(synced.toBuilder().addMembers(GroupMember.newBuilder().setUserId(UUID.randomUUID().toString())))
                .setUpdateMask(FieldMask.newBuilder().addPaths("members")).build()));
        assertRefused(Status.Code.ALREADY_EXISTS, upstream, () -> admin.createGroup(CreateGroupRequest.newBuilder().setGroup(Group
                .newBuilder().setName(unique("again")).setSource(GroupSource.GROUP_SOURCE_IDP_SYNC).setIdpGroupName(upstream)).build()));
        assertRefused(Status.Code.INVALID_ARGUMENT, "idp_group_name", () -> admin.createGroup(CreateGroupRequest.newBuilder()
                .setGroup(Group.newBuilder().setName(unique("x")).setSource(GroupSource.GROUP_SOURCE_IDP_SYNC)).build()));
        assertRefused(Status.Code.INVALID_ARGUMENT, "source", () -> admin.createGroup(CreateGroupRequest.newBuilder()
                .setGroup(Group.newBuilder().setName(unique("x"))).build()));
    }

    @Test
    void localGroupMembersAreDeduplicatedAndListedGroupsOmitThem() {
        String alice = UUID.randomUUID().toString();
        Group group = admin.createGroup(CreateGroupRequest.newBuilder().setGroup(Group.newBuilder().setName(unique("kids"))
                .setSource(GroupSource.GROUP_SOURCE_LOCAL)
                .addMembers(GroupMember.newBuilder().setUserId(alice))
                .addMembers(GroupMember.newBuilder().setUserId(alice))).build()).getGroup();
        assertEquals(1, group.getMembersCount());
        var listed = admin.listGroups(ListGroupsRequest.newBuilder().setMemberUserId(alice).build());
        assertEquals(1, listed.getGroupsCount());
        assertEquals(0, listed.getGroups(0).getMembersCount());
        assertEquals(1, listed.getGroups(0).getMemberCount());
        assertRefused(Status.Code.INVALID_ARGUMENT, "members[0].user_id", () -> admin.createGroup(CreateGroupRequest.newBuilder()
                .setGroup(Group.newBuilder().setName(unique("x")).setSource(GroupSource.GROUP_SOURCE_LOCAL)
                        .addMembers(GroupMember.newBuilder().setUserId("bob"))).build()));
    }

    @Test
    void resourcesPageInNameOrderWithTokensBoundToTheirFilters() {
        RemoteNetwork home = network();
        for (int i = 0; i < 5; i++) {
            resource(home, fqdn(host()));
        }
        ListResourcesRequest.Builder request = ListResourcesRequest.newBuilder().setRemoteNetworkId(home.getId()).setPageSize(2);
        Set<String> seen = new HashSet<>();
        String token = "";
        int pages = 0;
        String previous = "";
        do {
            ListResourcesResponse page = admin.listResources(request.clone().setPageToken(token).build());
            for (Resource resource : page.getResourcesList()) {
                assertTrue(resource.getName().compareToIgnoreCase(previous) > 0, "name order");
                previous = resource.getName();
                seen.add(resource.getId());
            }
            token = page.getNextPageToken();
            pages++;
        } while (!token.isEmpty());
        assertEquals(5, seen.size());
        assertEquals(3, pages);

        String first = admin.listResources(request.build()).getNextPageToken();
        assertRefused(Status.Code.INVALID_ARGUMENT, "other filters", () -> admin.listResources(ListResourcesRequest.newBuilder()
                .setPageSize(2).setPageToken(first).build()));
        assertRefused(Status.Code.INVALID_ARGUMENT, "page_token", () -> admin.listResources(request.clone().setPageToken("garbage!").build()));
        assertRefused(Status.Code.INVALID_ARGUMENT, "page_size", () -> admin.listResources(request.clone().setPageSize(-1).build()));
    }

    @Test
    void connectorsGetAGeneratedNameAndBelongToAnExistingNetwork() {
        RemoteNetwork home = network();
        Connector pi = admin.createConnector(CreateConnectorRequest.newBuilder().setConnector(Connector.newBuilder()
                .setRemoteNetworkId(home.getId())).build()).getConnector();
        assertTrue(pi.getName().startsWith("connector-"), pi.getName());
        assertTrue(!pi.getLive().getOnline());
        assertEquals(1, admin.getRemoteNetwork(GetRemoteNetworkRequest.newBuilder().setId(home.getId()).build())
                .getRemoteNetwork().getConnectorCount());
        assertRefused(Status.Code.FAILED_PRECONDITION, "remote network", () -> admin.createConnector(CreateConnectorRequest.newBuilder()
                .setConnector(Connector.newBuilder().setRemoteNetworkId(UUID.randomUUID().toString())).build()));
    }
}
