package dev.zerogate.e2e;

import com.google.protobuf.util.Timestamps;
import dev.zerogate.runkit.EmbeddedPostgresServer;
import dev.zerogate.proto.identity.v1.CreateServiceAccountKeyRequest;
import dev.zerogate.proto.identity.v1.CreateServiceAccountKeyResponse;
import dev.zerogate.proto.identity.v1.CreateServiceAccountRequest;
import dev.zerogate.proto.identity.v1.IdentityAdminServiceGrpc;
import dev.zerogate.proto.policy.v1.AuthorizationServiceGrpc;
import dev.zerogate.proto.policy.v1.ListMyResourcesRequest;
import dev.zerogate.proto.policy.v1.PolicyEvent;
import dev.zerogate.proto.policy.v1.PolicyStreamServiceGrpc;
import dev.zerogate.proto.policy.v1.SubscriberKind;
import dev.zerogate.proto.policy.v1.WatchPolicyRequest;
import dev.zerogate.proto.policy.v1.WatchPolicyResponse;
import dev.zerogate.testkit.FreePorts;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.StreamRecorder;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * identity-svc and policy-svc as processes on one PostgreSQL: policy-svc signs in with a service
 * account an admin created, follows identity-svc's revocation log (a session ended in
 * identity-svc reaches a policy stream subscriber and is refused by policy-svc itself) and reads
 * device posture from it (a posture reported at enrolment decides posture rules).
 */
class IdentityAndPolicyTest {

    static final Pattern SETUP_LINK = Pattern.compile("/setup\\?token=([A-Za-z0-9_-]+)");
    static final String PASSWORD = "an admin password for the feed test";

    @TempDir
    static Path home;

    static EmbeddedPostgresServer postgres;
    static ServiceProcess identity;
    static ServiceProcess policy;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        int base = FreePorts.consecutiveLoopback(3);
        postgres = EmbeddedPostgresServer.start(home, base, home.resolve("postgres.log"));
        identity = ServiceProcess.start("identity-svc", "identity", base + 1, postgres.ensureDatabase("zerogate_identity"),
                Map.of("ZEROGATE_IDENTITY_ISSUER", "http://127.0.0.1:" + (base + 1),
                        "ZEROGATE_IDENTITY_KEYS_MASTER_KEY_FILE", home.resolve("identity-master.key").toString()), home);
        String adminToken = createFirstAdmin();
        policy = ServiceProcess.start("policy-svc", "policy", base + 2, postgres.ensureDatabase("zerogate_policy"),
                policyEnvironment(identity.url(), policyServiceAccount(adminToken), home, Map.of()), home);
    }

    /** The first admin, created with the setup link identity-svc printed; returns the admin's access token. */
    static String createFirstAdmin() throws Exception {
        Matcher link = SETUP_LINK.matcher(Files.readString(identity.log()));
        assertTrue(link.find(), "identity-svc printed no setup link");
        assertEquals(200, post(identity.url() + "/setup", Map.of("token", link.group(1), "username", "admin", "password", PASSWORD,
                "confirm", PASSWORD), null).statusCode());
        return field(deviceLogin(), "access_token");
    }

    /** A service account and key for policy-svc to follow identity-svc's revocations with. */
    static CreateServiceAccountKeyResponse policyServiceAccount(String adminToken) throws Exception {
        return serviceAccount(adminToken, "policy-svc");
    }

    /** A service account called {@code name} and a key of it valid 30 days, made as an admin makes them. */
    static CreateServiceAccountKeyResponse serviceAccount(String adminToken, String name) throws Exception {
        try (GrpcProbe probe = GrpcProbe.connect(identity.port())) {
            var admin = GrpcProbe.withBearer(IdentityAdminServiceGrpc.newBlockingStub(probe.channel()), adminToken);
            String account = admin.createServiceAccount(CreateServiceAccountRequest.newBuilder().setName(name).build())
                    .getServiceAccount().getId();
            return admin.createServiceAccountKey(CreateServiceAccountKeyRequest.newBuilder().setServiceAccountId(account)
                    .setExpiresAt(Timestamps.fromMillis(Instant.now().plus(Duration.ofDays(30)).toEpochMilli())).build());
        }
    }

    /** policy-svc's environment: identity-svc at {@code identityUrl}, signed in with {@code key}. */
    static Map<String, String> policyEnvironment(String identityUrl, CreateServiceAccountKeyResponse key, Path home,
                                                 Map<String, String> extra) {
        Map<String, String> environment = new java.util.HashMap<>(Map.of("ZEROGATE_POLICY_IDENTITY_URL", identityUrl,
                "ZEROGATE_POLICY_IDENTITY_CLIENT_ID", key.getKey().getId(),
                "ZEROGATE_POLICY_IDENTITY_CLIENT_SECRET", key.getClientSecret(),
                "ZEROGATE_POLICY_MASTER_KEY_FILE", home.resolve("policy-master.key").toString()));
        environment.putAll(extra);
        return environment;
    }

    @AfterAll
    static void stop() throws Exception {
        if (policy != null) {
            policy.close();
        }
        if (identity != null) {
            identity.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    static HttpResponse<String> post(String url, Map<String, String> form, String bearer) throws Exception {
        String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The CLI's device login, over HTTP, approved with the admin's password: the token response. */
    static String deviceLogin() throws Exception {
        return deviceLogin(Map.of());
    }

    static String deviceLogin(Map<String, String> extra) throws Exception {
        java.util.Map<String, String> form = new java.util.HashMap<>(extra);
        form.put("client_id", "zerogate-cli");
        String started = post(identity.url() + "/oauth2/device_authorization", form, null).body();
        assertEquals(200, post(identity.url() + "/device", Map.of("user_code", field(started, "user_code"), "username", "admin",
                "password", PASSWORD, "action", "approve"), null).statusCode());
        HttpResponse<String> tokens = post(identity.url() + "/oauth2/token", Map.of("grant_type",
                "urn:ietf:params:oauth:grant-type:device_code", "device_code", field(started, "device_code"), "client_id", "zerogate-cli"), null);
        assertEquals(200, tokens.statusCode(), tokens.body());
        return tokens.body();
    }

    /** A string member of a flat JSON object (token responses, JWT payloads). */
    static String field(String json, String name) {
        Matcher value = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        assertTrue(value.find(), name + " missing in " + json.length() + " characters of JSON");
        return value.group(1);
    }

    static String claim(String jwt, String name) {
        return field(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8), name);
    }

    /** An EC P-256 device key as the CLI makes one, with its RFC 7638 thumbprint. */
    record DeviceKey(java.security.KeyPair pair, String thumbprint) {
        static DeviceKey generate() throws Exception {
            var generator = java.security.KeyPairGenerator.getInstance("EC");
            generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            var pair = generator.generateKeyPair();
            var point = ((java.security.interfaces.ECPublicKey) pair.getPublic()).getW();
            String jwk = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + coordinate(point.getAffineX()) + "\",\"y\":\""
                    + coordinate(point.getAffineY()) + "\"}";
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(jwk.getBytes(StandardCharsets.UTF_8));
            return new DeviceKey(pair, Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
        }

        static String coordinate(java.math.BigInteger value) {
            byte[] bytes = value.toByteArray();
            byte[] fixed = new byte[32];
            int copy = Math.min(bytes.length, 32);
            System.arraycopy(bytes, bytes.length - copy, fixed, 32 - copy, copy);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(fixed);
        }

        byte[] csr() throws Exception {
            return new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
                    new org.bouncycastle.asn1.x500.X500Name("CN=zerogate device"), pair.getPublic())
                    .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()))
                    .getEncoded();
        }
    }

    @Test
    void postureReportedToIdentityDecidesPostureRulesInPolicy() throws Exception {
        DeviceKey key = DeviceKey.generate();
        String login = deviceLogin(Map.of("zg_device_key", key.thumbprint()));
        String deviceId;
        try (GrpcProbe probe = GrpcProbe.connect(identity.port())) {
            deviceId = GrpcProbe.withBearer(dev.zerogate.proto.identity.v1.EnrollmentServiceGrpc.newBlockingStub(probe.channel()),
                    field(login, "access_token")).enrollDevice(dev.zerogate.proto.identity.v1.EnrollDeviceRequest.newBuilder()
                    .setCsr(com.google.protobuf.ByteString.copyFrom(key.csr())).setDeviceName("laptop")
                    .setPosture(dev.zerogate.proto.identity.v1.DevicePosture.newBuilder()
                            .setOs(dev.zerogate.proto.identity.v1.OperatingSystem.OPERATING_SYSTEM_LINUX).setOsVersion("6.8.0")
                            .setDiskEncrypted(true).setClientVersion("0.4.0")
                            .setCollectedAt(Timestamps.fromMillis(System.currentTimeMillis())))
                    .build()).getDevice().getId();
        }
        // Tokens name the device once its key is enrolled.
        HttpResponse<String> refreshed = post(identity.url() + "/oauth2/token", Map.of("grant_type", "refresh_token",
                "refresh_token", field(login, "refresh_token"), "client_id", "zerogate-cli"), null);
        assertEquals(200, refreshed.statusCode(), refreshed.body());
        String token = field(refreshed.body(), "access_token");
        assertEquals(deviceId, claim(token, "zg_dev"));
        String userId = claim(token, "sub");

        try (GrpcProbe probe = GrpcProbe.connect(policy.port())) {
            var admin = GrpcProbe.withBearer(dev.zerogate.proto.policy.v1.PolicyAdminServiceGrpc.newBlockingStub(probe.channel()), token);
            var network = admin.createRemoteNetwork(dev.zerogate.proto.policy.v1.CreateRemoteNetworkRequest.newBuilder()
                    .setRemoteNetwork(dev.zerogate.proto.policy.v1.RemoteNetwork.newBuilder().setName("home")).build()).getRemoteNetwork();
            var nas = resource(admin, network.getId(), "nas.lan");
            var vault = resource(admin, network.getId(), "vault.lan");
            var owners = admin.createGroup(dev.zerogate.proto.policy.v1.CreateGroupRequest.newBuilder().setGroup(
                    dev.zerogate.proto.policy.v1.Group.newBuilder().setName("owners").setSource(dev.zerogate.proto.policy.v1.GroupSource.GROUP_SOURCE_LOCAL)
                            .addMembers(dev.zerogate.proto.policy.v1.GroupMember.newBuilder().setUserId(userId))).build()).getGroup();
            rule(admin, "owners → nas", owners.getId(), nas.getId(), dev.zerogate.proto.policy.v1.DevicePostureRequirements.newBuilder()
                    .setRequireDiskEncryption(true).addAllowedOs(dev.zerogate.proto.policy.v1.OsRequirement.newBuilder()
                            .setOs(dev.zerogate.proto.policy.v1.OperatingSystem.OPERATING_SYSTEM_LINUX).setMinVersion("6.1")).build());
            rule(admin, "owners → vault", owners.getId(), vault.getId(), dev.zerogate.proto.policy.v1.DevicePostureRequirements.newBuilder()
                    .setRequireScreenLock(true).build());

            var decisions = GrpcProbe.withBearer(AuthorizationServiceGrpc.newBlockingStub(probe.channel()), token);
            var permitted = decisions.authorize(dev.zerogate.proto.policy.v1.AuthorizeRequest.newBuilder().setDeviceId(deviceId)
                    .setDestination("nas.lan").setPort(445).setProtocol(dev.zerogate.proto.policy.v1.Protocol.PROTOCOL_TCP).build());
            assertEquals(dev.zerogate.proto.policy.v1.Decision.DECISION_PERMIT, permitted.getDecision(), permitted.getReason());
            assertTrue(permitted.hasGrant());
            var denied = decisions.authorize(dev.zerogate.proto.policy.v1.AuthorizeRequest.newBuilder().setDeviceId(deviceId)
                    .setDestination("vault.lan").setPort(443).setProtocol(dev.zerogate.proto.policy.v1.Protocol.PROTOCOL_TCP).build());
            assertEquals(dev.zerogate.proto.policy.v1.DenyReason.DENY_REASON_DEVICE_POSTURE, denied.getDenyReason(), denied.getReason());
            assertTrue(denied.getReason().toLowerCase().contains("screen lock"), denied.getReason());
        }
    }

    static dev.zerogate.proto.policy.v1.Resource resource(dev.zerogate.proto.policy.v1.PolicyAdminServiceGrpc.PolicyAdminServiceBlockingStub admin,
                                                          String network, String fqdn) {
        return admin.createResource(dev.zerogate.proto.policy.v1.CreateResourceRequest.newBuilder().setResource(
                dev.zerogate.proto.policy.v1.Resource.newBuilder().setRemoteNetworkId(network).setName(fqdn)
                        .setAddress(dev.zerogate.proto.policy.v1.ResourceAddress.newBuilder().setFqdn(fqdn))).build()).getResource();
    }

    static void rule(dev.zerogate.proto.policy.v1.PolicyAdminServiceGrpc.PolicyAdminServiceBlockingStub admin, String name, String group,
                     String resource, dev.zerogate.proto.policy.v1.DevicePostureRequirements posture) {
        admin.createAccessRule(dev.zerogate.proto.policy.v1.CreateAccessRuleRequest.newBuilder().setRule(
                dev.zerogate.proto.policy.v1.AccessRule.newBuilder().setName(name).setGroupId(group).addResourceIds(resource)
                        .setConditions(dev.zerogate.proto.policy.v1.AccessConditions.newBuilder().setDevice(posture))).build());
    }

    @Test
    void aSessionEndedInIdentityReachesThePolicyStreamAndIsRefusedByPolicy() throws Exception {
        String watcherToken = field(deviceLogin(), "access_token");
        String doomed = deviceLogin();
        String doomedSession = claim(field(doomed, "access_token"), "sid");
        StreamRecorder<WatchPolicyResponse> recorder = new StreamRecorder<>(WatchPolicyResponse::getEvent);
        BlockingQueue<Object> events = recorder.received();
        Context.CancellableContext context = Context.current().withCancellation();
        try (GrpcProbe probe = GrpcProbe.connect(policy.port())) {
            var mine = GrpcProbe.withBearer(AuthorizationServiceGrpc.newBlockingStub(probe.channel()), field(doomed, "access_token"));
            assertEquals(0, mine.listMyResources(ListMyResourcesRequest.getDefaultInstance()).getResourcesCount(),
                    "policy-svc accepts the live session's token");
            context.run(() -> GrpcProbe.withBearer(PolicyStreamServiceGrpc.newStub(probe.channel()), watcherToken).watchPolicy(
                    WatchPolicyRequest.newBuilder().setSubscriberKind(SubscriberKind.SUBSCRIBER_KIND_RELAY)
                            .setSubscriberId(UUID.randomUUID().toString()).build(), recorder));

            // Logging out (RFC 7009) ends the session in identity-svc.
            assertEquals(200, post(identity.url() + "/oauth2/revoke", Map.of("token", field(doomed, "refresh_token"),
                    "client_id", "zerogate-cli"), null).statusCode());
            PolicyEvent revocation = null;
            Instant deadline = Instant.now().plusSeconds(30);
            while (revocation == null && Instant.now().isBefore(deadline)) {
                Object item = events.poll(1, TimeUnit.SECONDS);
                if (item instanceof PolicyEvent event && event.hasRevocation() && event.getRevocation().getSessionId().equals(doomedSession)) {
                    revocation = event;
                } else if (item != null && !(item instanceof PolicyEvent)) {
                    fail("the policy stream ended: " + item);
                }
            }
            assertNotNull(revocation, "the session's revocation reached the policy stream");
            assertTrue(revocation.getSequence() > 0);

            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> mine.listMyResources(ListMyResourcesRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
            assertTrue(refused.getStatus().getDescription().contains("revoked"), refused.getStatus().getDescription());
        } finally {
            context.cancel(null);
        }
    }
}
