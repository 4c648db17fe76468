package dev.zerogate.e2e;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.Timestamps;
import dev.zerogate.runkit.EmbeddedPostgresServer;
import dev.zerogate.local.LocalOptions;
import dev.zerogate.proto.identity.v1.CreateServiceAccountKeyResponse;
import dev.zerogate.proto.identity.v1.DevicePosture;
import dev.zerogate.proto.identity.v1.EnrollDeviceRequest;
import dev.zerogate.proto.identity.v1.EnrollDeviceResponse;
import dev.zerogate.proto.identity.v1.EnrollmentServiceGrpc;
import dev.zerogate.proto.identity.v1.IdentityAdminServiceGrpc;
import dev.zerogate.proto.identity.v1.OperatingSystem;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.Connector;
import dev.zerogate.proto.policy.v1.CreateAccessRuleRequest;
import dev.zerogate.proto.policy.v1.CreateConnectorRequest;
import dev.zerogate.proto.policy.v1.CreateGroupRequest;
import dev.zerogate.proto.policy.v1.CreateRemoteNetworkRequest;
import dev.zerogate.proto.policy.v1.CreateResourceRequest;
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
import dev.zerogate.testkit.FreePorts;
import dev.zerogate.testkit.GrpcProbe;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.zerogate.e2e.IdentityAndPolicyTest.field;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The whole data plane as processes, for tests of a client that runs for a while: PostgreSQL,
 * identity-svc (with the test's token and certificate lifetimes), policy-svc, relay-svc on its
 * public port, one connector of network "home", and a web page on loopback as the resource
 * "home page" that the admin may reach. Unlike {@link DataPlaneTest}'s static stack, several
 * classes may each start their own, configured differently.
 */
final class TunnelStack implements AutoCloseable {

    /** The page's marker: random, so that only the page itself can contain it. */
    final String marker = UUID.randomUUID().toString();
    private final Path home;
    private EmbeddedPostgresServer postgres;
    private ServiceProcess identity;
    private ServiceProcess policy;
    private ServiceProcess relay;
    private ServiceProcess connector;
    private com.sun.net.httpserver.HttpServer web;
    private CreateServiceAccountKeyResponse relayKey;
    private int relayPort;
    private int relayPublicPort;
    private int relayStarts;

    private TunnelStack(Path home) {
        this.home = home;
    }

    /** Starts everything; {@code identityEnvironment} adds to identity-svc's (e.g. its token lifetimes). */
    static TunnelStack start(Path home, Map<String, String> identityEnvironment) throws Exception {
        TunnelStack stack = new TunnelStack(home);
        try {
            stack.startAll(identityEnvironment);
        } catch (Exception | AssertionError e) {
            stack.close();
            throw e;
        }
        return stack;
    }

    private void startAll(Map<String, String> identityEnvironment) throws Exception {
        int base = FreePorts.consecutiveLoopback(6);
        postgres = EmbeddedPostgresServer.start(home, base, home.resolve("postgres.log"));
        Map<String, String> identityEnv = new HashMap<>(Map.of("ZEROGATE_IDENTITY_ISSUER", "http://127.0.0.1:" + (base + 1),
                "ZEROGATE_IDENTITY_KEYS_MASTER_KEY_FILE", home.resolve("identity-master.key").toString(),
                // The discovery document: policy-svc and the relay, whose key is made now in its state directory.
                "ZEROGATE_PUBLIC_POLICY_URL", "http://127.0.0.1:" + (base + 2),
                "ZEROGATE_PUBLIC_RELAYS", dev.zerogate.local.RelayKeyFile.publicEntry("http://127.0.0.1:" + (base + 4), home.resolve("relay-state"))));
        identityEnv.putAll(identityEnvironment);
        identity = ServiceProcess.start("identity-svc", "identity", base + 1, postgres.ensureDatabase("zerogate_identity"), identityEnv, home);
        IdentityAndPolicyTest.identity = identity;
        IdentityAndPolicyTest.createFirstAdmin();
        relayKey = IdentityAndPolicyTest.serviceAccount(adminToken(), "relay-svc");
        policy = ServiceProcess.start("policy-svc", "policy", base + 2, postgres.ensureDatabase("zerogate_policy"),
                IdentityAndPolicyTest.policyEnvironment(identity.url(), IdentityAndPolicyTest.policyServiceAccount(adminToken()), home,
                        Map.of("ZEROGATE_POLICY_STREAM_RELAY_SERVICE_ACCOUNTS", relayKey.getKey().getServiceAccountId())), home);
        relayPort = base + 3;
        relayPublicPort = base + 4;
        relay = startRelay();

        web = webPage("<h1>home page</h1>" + marker);

        String adminToken = adminToken();
        String userId = IdentityAndPolicyTest.claim(adminToken, "sub");
        String networkId;
        String connectorId;
        try (GrpcProbe probe = GrpcProbe.connect(policy.port())) {
            var admin = GrpcProbe.withBearer(PolicyAdminServiceGrpc.newBlockingStub(probe.channel()), adminToken);
            networkId = admin.createRemoteNetwork(CreateRemoteNetworkRequest.newBuilder()
                    .setRemoteNetwork(RemoteNetwork.newBuilder().setName("home")).build()).getRemoteNetwork().getId();
            connectorId = admin.createConnector(CreateConnectorRequest.newBuilder().setConnector(Connector.newBuilder()
                    .setName("pi").setRemoteNetworkId(networkId)).build()).getConnector().getId();
            int webPort = web.getAddress().getPort();
            Resource page = admin.createResource(CreateResourceRequest.newBuilder().setResource(Resource.newBuilder()
                    .setRemoteNetworkId(networkId).setName("home page")
                    .setAddress(ResourceAddress.newBuilder().setIpAddress("127.0.0.1"))
                    .setTcp(PortPolicy.newBuilder().setListed(PortRanges.newBuilder()
                            .addRanges(PortRange.newBuilder().setFirstPort(webPort).setLastPort(webPort)))))
                    .build()).getResource();
            String family = admin.createGroup(CreateGroupRequest.newBuilder().setGroup(Group.newBuilder().setName("family")
                    .setSource(GroupSource.GROUP_SOURCE_LOCAL).addMembers(GroupMember.newBuilder().setUserId(userId))).build())
                    .getGroup().getId();
            admin.createAccessRule(CreateAccessRuleRequest.newBuilder().setRule(AccessRule.newBuilder().setName("family -> home page")
                    .setGroupId(family).addResourceIds(page.getId())).build());
        }
        Map<String, String> environment = connectorEnvironment(identity.port(), adminToken(), connectorId, networkId);
        // Only ZEROGATE_URL and the tokens: the discovery document names policy-svc and the relay.
        environment.put("ZEROGATE_CONNECTOR_STATE_DIR", home.resolve("connector-state").toString());
        connector = ServiceProcess.start("connector-svc", "connector", base + 5, null, environment, home);
        DataPlaneTest.awaitLog(relay, "connector " + connectorId + " of network " + networkId + " registered", Duration.ofSeconds(30));
    }

    /** A web page on loopback (a free port) that answers every request with {@code body}: a private resource. */
    static com.sun.net.httpserver.HttpServer webPage(String body) throws IOException {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return server;
    }

    /**
     * The environment of connector {@code connectorId} of {@code networkId} as an admin gets it from
     * identity-svc (its one-time bootstrap tokens and URL), ready for the test to add to.
     */
    static Map<String, String> connectorEnvironment(int identityPort, String adminToken, String connectorId, String networkId) {
        try (GrpcProbe probe = GrpcProbe.connect(identityPort)) {
            var admin = GrpcProbe.withBearer(IdentityAdminServiceGrpc.newBlockingStub(probe.channel()), adminToken);
            return new HashMap<>(admin.createConnector(dev.zerogate.proto.identity.v1.CreateConnectorRequest.newBuilder()
                    .setConnectorId(connectorId).setRemoteNetworkId(networkId).build()).getEnvironmentMap());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A fresh token of the first admin (the stack's lifetimes may be seconds). */
    static String adminToken() throws Exception {
        return field(IdentityAndPolicyTest.deviceLogin(), "access_token");
    }

    private ServiceProcess startRelay() throws Exception {
        relayStarts++;
        return ServiceProcess.start("relay-svc", "relay-" + relayStarts, relayPort, null,
                Map.of("ZEROGATE_RELAY_IDENTITY_URL", identity.url(), "ZEROGATE_RELAY_POLICY_URL", policy.url(),
                        "ZEROGATE_RELAY_PORT", Integer.toString(relayPublicPort), "ZEROGATE_RELAY_HOST", "127.0.0.1",
                        "ZEROGATE_RELAY_STATE_DIR", home.resolve("relay-state").toString(),
                        "ZEROGATE_RELAY_IDENTITY_CLIENT_ID", relayKey.getKey().getId(),
                        "ZEROGATE_RELAY_IDENTITY_CLIENT_SECRET", relayKey.getClientSecret()), home);
    }

    /** Stops the relay (its graceful stop: the connector is drained) and starts it again; returns when it is ready. */
    void restartRelay() throws Exception {
        relay.close();
        relay = startRelay();
    }

    String relayUrl() {
        return "http://127.0.0.1:" + relayPublicPort;
    }

    String policyUrl() {
        return policy.url();
    }

    String identityUrl() {
        return identity.url();
    }

    ServiceProcess connector() {
        return connector;
    }

    ServiceProcess relay() {
        return relay;
    }

    /** The page behind the connector, as the person asks for it through zerogate. */
    String pageUrl() {
        return "http://127.0.0.1:" + web.getAddress().getPort() + "/";
    }

    /**
     * A CLI configuration directory as `zerogate login` leaves it: the device key, the device
     * certificate and CA, and credentials whose access token names the device, with its real expiry.
     */
    Path enrolledClient(Path dir) throws Exception {
        return DataPlaneTest.enrolledClient(identity, dir, identity.url(), policy.url(), relayUrl(), home.resolve("relay-state"));
    }

    /** Rewrites credentials.json as a login (or a refresh) leaves it. */
    void writeCredentials(Path dir, String accessToken, String refreshToken, long expiresAt) throws IOException {
        Files.writeString(dir.resolve("credentials.json"), "{\"server\":\"" + identity.url() + "\",\"access_token\":\"" + accessToken
                + "\",\"refresh_token\":\"" + refreshToken + "\",\"access_token_expires_at\":" + expiresAt
                + ",\"policy_url\":\"" + policy.url() + "\"," + DataPlaneTest.relaysJson(relayUrl(), home.resolve("relay-state")) + "}");
    }

    /** Starts the CLI with the configuration in {@code config} and this stack's relay. */
    Process cli(Path config, Path stdout, Path stderr, String... args) throws IOException {
        Path app = LocalStackHarness.projectDir().resolve("client/target/quarkus-app/quarkus-run.jar");
        List<String> command = new ArrayList<>(List.of(LocalOptions.currentJava(), "-jar", app.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile()).redirectOutput(stdout.toFile());
        builder.environment().put("ZEROGATE_CONFIG_DIR", config.toString());
        builder.environment().put("ZEROGATE_RELAY_URL", relayUrl());
        builder.environment().remove("ZEROGATE_POLICY_URL");
        return builder.start();
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable part : new AutoCloseable[]{connector, relay, policy, identity, postgres}) {
            if (part != null) {
                part.close();
            }
        }
        if (web != null) {
            web.stop(0);
        }
    }
}
