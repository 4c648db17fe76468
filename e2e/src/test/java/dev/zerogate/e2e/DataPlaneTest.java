package dev.zerogate.e2e;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.Timestamps;
import dev.zerogate.proto.identity.v1.CreateServiceAccountKeyResponse;
import dev.zerogate.proto.identity.v1.DevicePosture;
import dev.zerogate.proto.identity.v1.EnrollDeviceRequest;
import dev.zerogate.proto.identity.v1.EnrollDeviceResponse;
import dev.zerogate.proto.identity.v1.EnrollmentServiceGrpc;
import dev.zerogate.proto.identity.v1.OperatingSystem;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.Connector;
import dev.zerogate.proto.policy.v1.ConnectorLiveState;
import dev.zerogate.proto.policy.v1.CreateAccessRuleRequest;
import dev.zerogate.proto.policy.v1.CreateConnectorRequest;
import dev.zerogate.proto.policy.v1.CreateGroupRequest;
import dev.zerogate.proto.policy.v1.CreateRemoteNetworkRequest;
import dev.zerogate.proto.policy.v1.CreateResourceRequest;
import dev.zerogate.proto.policy.v1.GetConnectorRequest;
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
import dev.zerogate.local.LocalOptions;
import dev.zerogate.testkit.FreePorts;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.runkit.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import dev.zerogate.local.RelayKeyFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.zerogate.e2e.IdentityAndPolicyTest.claim;
import static dev.zerogate.e2e.IdentityAndPolicyTest.field;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data plane end to end on loopback, every part real and packaged: identity-svc and
 * policy-svc on PostgreSQL, relay-svc, a connector provisioned as an admin does it, private
 * resources (an echo server, a web page), and the `zerogate` CLI as the person runs it. The
 * relay is reached through a capturing proxy, so the test sees every byte a network observer
 * of the relay legs would.
 */
class DataPlaneTest {

    // IdentityAndPolicyTest.deviceLogin approves with this password.
    static final String PASSWORD = IdentityAndPolicyTest.PASSWORD;

    @TempDir
    static Path home;

    static EmbeddedPostgresServer postgres;
    static ServiceProcess identity;
    static ServiceProcess policy;
    static ServiceProcess relay;
    static ServiceProcess connector;
    static CapturingProxy relayLeg;
    static ServerSocket echo;
    static com.sun.net.httpserver.HttpServer web;
    static Path clientConfig;
    static String adminToken;
    static String familyGroupId;
    static String userId;
    static String networkId;
    static int spareConnectorPort;
    static int relayPort;
    static int relayPublicPort;
    /** The relay's service-account key: it reports its connectors to policy-svc with it. */
    static CreateServiceAccountKeyResponse relayKey;
    // Random throughout: a fixed prefix such as "zerogate" legitimately crosses the relay legs (gRPC method names).
    static final String MARKER = (UUID.randomUUID() + "" + UUID.randomUUID()).replace("-", "");
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        int base = FreePorts.consecutiveLoopback(7);
        postgres = EmbeddedPostgresServer.start(home, base, home.resolve("postgres.log"));
        relayPort = base + 3;
        relayPublicPort = base + 4;
        // Clients and the connector reach the relay through the capturing proxy: that is the relay the
        // discovery document publishes, with the key made now in the relay's state directory.
        relayLeg = new CapturingProxy(relayPublicPort);
        identity = ServiceProcess.start("identity-svc", "identity", base + 1, postgres.ensureDatabase("zerogate_identity"),
                Map.of("ZEROGATE_IDENTITY_ISSUER", "http://127.0.0.1:" + (base + 1),
                        "ZEROGATE_IDENTITY_KEYS_MASTER_KEY_FILE", home.resolve("identity-master.key").toString(),
                        "ZEROGATE_PUBLIC_POLICY_URL", "http://127.0.0.1:" + (base + 2),
                        "ZEROGATE_PUBLIC_RELAYS", RelayKeyFile.publicEntry("http://127.0.0.1:" + relayLeg.port(), home.resolve("relay-state"))),
                home);
        IdentityAndPolicyTest.identity = identity;
        adminToken = IdentityAndPolicyTest.createFirstAdmin();
        relayKey = relayServiceAccount();
        policy = ServiceProcess.start("policy-svc", "policy", base + 2, postgres.ensureDatabase("zerogate_policy"),
                IdentityAndPolicyTest.policyEnvironment(identity.url(), IdentityAndPolicyTest.policyServiceAccount(adminToken), home,
                        Map.of("ZEROGATE_POLICY_STREAM_RELAY_SERVICE_ACCOUNTS", relayKey.getKey().getServiceAccountId())), home);
        relay = startRelay("relay");

        // The private side: an echo server and a web page on loopback.
        echo = startEcho();
        web = TunnelStack.webPage("<h1>pi-hole admin</h1>" + MARKER);

        // The admin's policy: a network, its connector, the two resources, a rule for the admin.
        userId = claim(adminToken, "sub");
        String connectorId;
        spareConnectorPort = base + 6;
        try (GrpcProbe probe = GrpcProbe.connect(policy.port())) {
            var admin = GrpcProbe.withBearer(PolicyAdminServiceGrpc.newBlockingStub(probe.channel()), adminToken);
            networkId = admin.createRemoteNetwork(CreateRemoteNetworkRequest.newBuilder()
                    .setRemoteNetwork(RemoteNetwork.newBuilder().setName("home")).build()).getRemoteNetwork().getId();
            connectorId = admin.createConnector(CreateConnectorRequest.newBuilder().setConnector(Connector.newBuilder()
                    .setName("pi").setRemoteNetworkId(networkId)).build()).getConnector().getId();
            Resource loopback = admin.createResource(CreateResourceRequest.newBuilder().setResource(Resource.newBuilder()
                    .setRemoteNetworkId(networkId).setName("home server")
                    .setAddress(ResourceAddress.newBuilder().setIpAddress("127.0.0.1"))
                    .setTcp(PortPolicy.newBuilder().setListed(PortRanges.newBuilder()
                            .addRanges(PortRange.newBuilder().setFirstPort(echo.getLocalPort()).setLastPort(echo.getLocalPort()))
                            .addRanges(PortRange.newBuilder().setFirstPort(web.getAddress().getPort()).setLastPort(web.getAddress().getPort())))))
                    .build()).getResource();
            String family = admin.createGroup(CreateGroupRequest.newBuilder().setGroup(Group.newBuilder().setName("family")
                    .setSource(GroupSource.GROUP_SOURCE_LOCAL).addMembers(GroupMember.newBuilder().setUserId(userId))).build())
                    .getGroup().getId();
            familyGroupId = family;
            admin.createAccessRule(CreateAccessRuleRequest.newBuilder().setRule(AccessRule.newBuilder().setName("family → home server")
                    .setGroupId(family).addResourceIds(loopback.getId())).build());
        }
        connector = startConnector(connectorId, "connector", base + 5);

        clientConfig = enrolledClient();
    }

    /** relay-svc on {@link #relayPort} (HTTP) and {@link #relayPublicPort}, its state (and so its preamble key) kept across starts. */
    static ServiceProcess startRelay(String instance) throws Exception {
        return ServiceProcess.start("relay-svc", instance, relayPort, null,
                Map.of("ZEROGATE_RELAY_IDENTITY_URL", identity.url(), "ZEROGATE_RELAY_POLICY_URL", policy.url(),
                        "ZEROGATE_RELAY_PORT", Integer.toString(relayPublicPort), "ZEROGATE_RELAY_HOST", "127.0.0.1",
                        "ZEROGATE_RELAY_STATE_DIR", home.resolve("relay-state").toString(),
                        "ZEROGATE_RELAY_IDENTITY_CLIENT_ID", relayKey.getKey().getId(),
                        "ZEROGATE_RELAY_IDENTITY_CLIENT_SECRET", relayKey.getClientSecret(),
                        // Longer than the live-state test's waits: only the reports made when a
                        // connector registers or goes away can pass it.
                        "ZEROGATE_RELAY_REPORT_INTERVAL", "60s"), home);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable part : new AutoCloseable[]{connector, relay, policy, identity, postgres, relayLeg, echo}) {
            if (part != null) {
                part.close();
            }
        }
        if (web != null) {
            web.stop(0);
        }
    }

    /** A service account and key for relay-svc, as an admin creates them; policy-svc lists the account as a relay. */
    static CreateServiceAccountKeyResponse relayServiceAccount() throws Exception {
        return IdentityAndPolicyTest.serviceAccount(adminToken, "relay-svc");
    }

    /** Provisions {@code connectorId} with identity-svc as an admin does and starts it; returns once the relay has it. */
    static ServiceProcess startConnector(String connectorId, String instance, int port) throws Exception {
        Map<String, String> environment = TunnelStack.connectorEnvironment(identity.port(), adminToken, connectorId, networkId);
        // Only ZEROGATE_URL and the tokens: the discovery document names policy-svc and the relay (the capturing proxy).
        environment.put("ZEROGATE_CONNECTOR_STATE_DIR", home.resolve(instance + "-state").toString());
        ServiceProcess started = ServiceProcess.start("connector-svc", instance, port, null, environment, home);
        awaitLog(relay, "connector " + connectorId + " of network " + networkId + " registered", Duration.ofSeconds(30));
        return started;
    }

    /**
     * A CLI config directory as `zerogate login` leaves it: credentials (the access token names the
     * device, with its real expiry), device key, device certificate, CA.
     */
    static Path enrolledClient() throws Exception {
        return enrolledClient(identity, home.resolve("client-config"), identity.url(), policy.url(),
                "http://127.0.0.1:" + relayLeg.port(), home.resolve("relay-state"));
    }

    /**
     * The same for a person whose CLI reaches identity-svc at {@code serverUrl} and policy-svc at
     * {@code policyUrl} (as the person's network sees them).
     */
    static Path enrolledClient(ServiceProcess identity, Path configDir, String serverUrl, String policyUrl, String relayUrl,
                               Path relayStateDir) throws Exception {
        IdentityAndPolicyTest.DeviceKey key = IdentityAndPolicyTest.DeviceKey.generate();
        String login = IdentityAndPolicyTest.deviceLogin(Map.of("zg_device_key", key.thumbprint()));
        EnrollDeviceResponse enrolled;
        try (GrpcProbe probe = GrpcProbe.connect(identity.port())) {
            enrolled = GrpcProbe.withBearer(EnrollmentServiceGrpc.newBlockingStub(probe.channel()), field(login, "access_token"))
                    .enrollDevice(EnrollDeviceRequest.newBuilder().setCsr(ByteString.copyFrom(key.csr())).setDeviceName("laptop")
                            .setPosture(DevicePosture.newBuilder().setOs(OperatingSystem.OPERATING_SYSTEM_LINUX).setOsVersion("6.8.0")
                                    .setCollectedAt(Timestamps.fromMillis(System.currentTimeMillis()))).build());
        }
        long now = Instant.now().getEpochSecond();
        HttpResponse<String> refreshed = IdentityAndPolicyTest.post(identity.url() + "/oauth2/token", Map.of("grant_type", "refresh_token",
                "refresh_token", field(login, "refresh_token"), "client_id", "zerogate-cli"), null);
        assertEquals(200, refreshed.statusCode(), refreshed.body());
        long expiresIn = Long.parseLong(refreshed.body().replaceAll("(?s).*\"expires_in\"\\s*:\\s*(\\d+).*", "$1"));
        Path dir = Files.createDirectories(configDir);
        Base64.Encoder base64 = Base64.getEncoder();
        Files.writeString(dir.resolve("device.key"), base64.encodeToString(key.pair().getPrivate().getEncoded()) + "\n"
                + base64.encodeToString(key.pair().getPublic().getEncoded()) + "\n");
        Files.writeString(dir.resolve("device.crt"), pem(enrolled.getCertificate().getCertificateChain(0).toByteArray()));
        Files.writeString(dir.resolve("ca.crt"), pem(enrolled.getCertificate().getTrustAnchors(0).toByteArray()));
        Files.writeString(dir.resolve("credentials.json"), "{\"server\":\"" + serverUrl + "\",\"access_token\":\""
                + field(refreshed.body(), "access_token") + "\",\"refresh_token\":\"" + field(refreshed.body(), "refresh_token")
                + "\",\"access_token_expires_at\":" + (now + expiresIn)
                + ",\"policy_url\":\"" + policyUrl + "\"," + relaysJson(relayUrl, relayStateDir) + "}");
        return dir;
    }

    /** The "relays" of credentials.json: the one relay at {@code relayUrl}, with the key in its state directory. */
    static String relaysJson(String relayUrl, Path relayStateDir) throws IOException {
        return "\"relays\":[{\"url\":\"" + relayUrl + "\",\"preamble_key\":\""
                + RelayKeyFile.ensure(relayStateDir).publicText() + "\"}]";
    }

    static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END CERTIFICATE-----\n";
    }

    static void awaitLog(ServiceProcess service, String text, Duration timeout) throws Exception {
        awaitMoreOccurrences(service.log(), text, 0, timeout);
    }

    /** Waits until {@code log} holds {@code text} more often than {@code before} times; fails after {@code timeout}. */
    static void awaitMoreOccurrences(Path log, String text, long before, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (occurrences(log, text) > before) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no " + (before == 0 ? "" : "new ") + "'" + text + "' in " + log + " within " + timeout
                + ":\n" + Files.readString(log));
    }

    static long occurrences(Path log, String text) throws IOException {
        return Files.readString(log).split(java.util.regex.Pattern.quote(text), -1).length - 1L;
    }

    /** `zerogate connect` to the echo resource with {@code line} on stdin; asserts it exits 0 having echoed it. */
    private static void connectEchoes(String name, String line) throws Exception {
        Path stderr = home.resolve(name + ".err");
        Process process = cli(home.resolve(name + ".out"), stderr, "connect", "127.0.0.1", Integer.toString(echo.getLocalPort()));
        try (OutputStream in = process.getOutputStream()) {
            in.write(line.getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), Files.readString(stderr));
        assertEquals(line, Files.readString(home.resolve(name + ".out")));
    }

    static ServerSocket startEcho() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    Thread pump = new Thread(() -> {
                        try (socket) {
                            socket.getInputStream().transferTo(socket.getOutputStream());
                            socket.shutdownOutput();
                        } catch (IOException ignored) {
                            // the flow ended
                        }
                    });
                    pump.setDaemon(true);
                    pump.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "echo");
        acceptor.setDaemon(true);
        acceptor.start();
        return server;
    }

    /** Starts the CLI with the client's config and the relay behind the capturing proxy. */
    static Process cli(Path stdout, Path stderr, String... args) throws IOException {
        Path app = LocalStackHarness.projectDir().resolve("client/target/quarkus-app/quarkus-run.jar");
        List<String> command = new ArrayList<>(List.of(LocalOptions.currentJava(), "-jar", app.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
        if (stdout != null) {
            builder.redirectOutput(stdout.toFile());
        }
        builder.environment().put("ZEROGATE_CONFIG_DIR", clientConfig.toString());
        builder.environment().put("ZEROGATE_RELAY_URL", "http://127.0.0.1:" + relayLeg.port());
        builder.environment().remove("ZEROGATE_POLICY_URL");
        return builder.start();
    }

    @Test
    void connectCarriesSeveralMegabytesByteForByteOnStdio() throws Exception {
        // Three times a widened stream window (TunnelProtocol.WIDE_STREAM_WINDOW): each direction
        // stalls unless the far side's credit comes back.
        byte[] payload = new byte[12 << 20];
        new Random(11).nextBytes(payload);
        byte[] marker = MARKER.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(marker, 0, payload, 1000, marker.length);
        Path stderr = home.resolve("connect.err");
        Process process = cli(null, stderr, "connect", "127.0.0.1", Integer.toString(echo.getLocalPort()));
        Thread writer = new Thread(() -> {
            try (OutputStream in = process.getOutputStream()) {
                in.write(payload);
            } catch (IOException ignored) {
                // the process ended; the assertions below say how
            }
        });
        writer.start();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (InputStream out = process.getInputStream()) {
            out.transferTo(received);
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "zerogate connect did not end after the echo");
        assertEquals(0, process.exitValue(), Files.readString(stderr));
        assertArrayEquals(payload, received.toByteArray());
        assertTrue(Files.readString(connector.log()).contains("\"event\":\"flow_closed\""), "the connector logs the flow");
    }

    @Test
    void forwardServesAWebPageFromThePrivateSide() throws Exception {
        int local;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            local = probe.getLocalPort();
        }
        Path stdout = home.resolve("forward.out");
        Path stderr = home.resolve("forward.err");
        Process process = cli(stdout, stderr, "forward", local + ":127.0.0.1:" + web.getAddress().getPort());
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(stdout).contains("forwarding") && System.nanoTime() < deadline && process.isAlive()) {
                Thread.sleep(100);
            }
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + local + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("pi-hole admin") && page.body().contains(MARKER), page.body());
        } finally {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theRelayLegsShowNoByteOfTheMarkerAndTheRelayLogsNone() throws Exception {
        // Whatever else ran, a flow carrying the marker runs now, through the capturing proxy.
        connectCarriesSeveralMegabytesByteForByteOnStdio();
        byte[] captured = relayLeg.captured();
        assertTrue(captured.length > 4 << 20, "the flow went through the relay legs: " + captured.length + " bytes");
        byte[] marker = MARKER.getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at + 8 <= marker.length; at++) {
            byte[] window = java.util.Arrays.copyOfRange(marker, at, at + 8);
            assertFalse(contains(captured, window), "8 bytes of the marker from offset " + at + " crossed a relay leg in the clear");
        }
        assertFalse(Files.readString(relay.log()).contains(MARKER.substring(0, 16)), "the relay logged the payload");
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void aPortTheResourceDoesNotAllowIsDeniedWithTheReason() throws Exception {
        Path stderr = home.resolve("denied.err");
        Process process = cli(home.resolve("denied.out"), stderr, "connect", "127.0.0.1", "9");
        process.getOutputStream().close();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, process.exitValue());
        String message = Files.readString(stderr);
        assertTrue(message.contains("access to 127.0.0.1:9 denied"), message);
    }

    /** Replaces the family group's members (the admin user, or nobody). */
    static void setFamily(boolean withUser) {
        try (GrpcProbe probe = GrpcProbe.connect(policy.port())) {
            var admin = GrpcProbe.withBearer(PolicyAdminServiceGrpc.newBlockingStub(probe.channel()), adminToken);
            Group current = admin.getGroup(dev.zerogate.proto.policy.v1.GetGroupRequest.newBuilder().setId(familyGroupId).build()).getGroup();
            Group.Builder changed = current.toBuilder().clearMembers();
            if (withUser) {
                changed.addMembers(GroupMember.newBuilder().setUserId(userId));
            }
            admin.updateGroup(dev.zerogate.proto.policy.v1.UpdateGroupRequest.newBuilder().setGroup(changed)
                    .setUpdateMask(com.google.protobuf.FieldMask.newBuilder().addPaths("members")).build());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void removingTheUserFromTheGroupClosesTheOpenFlowWithinASecondAndRefusesTheNext() throws Exception {
        Path stderr = home.resolve("revoked.err");
        Process process = cli(home.resolve("revoked.out"), stderr, "connect", "127.0.0.1", Integer.toString(echo.getLocalPort()));
        try {
            OutputStream in = process.getOutputStream();
            in.write("still here\n".getBytes());
            in.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(home.resolve("revoked.out")).contains("still here") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(Files.readString(home.resolve("revoked.out")).contains("still here"), "the flow is open: " + Files.readString(stderr));

            Instant removedAt = Instant.now();
            setFamily(false);
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "the flow was not closed");
            assertEquals(1, process.exitValue());
            String message = Files.readString(stderr);
            assertTrue(message.contains("ACCESS_REVOKED") || message.contains("no longer"), message);
            // One line for the person, not a stack trace from a thread still reading stdin.
            assertEquals(1, message.strip().lines().count(), message);
            assertFalse(message.contains("Exception"), message);
            // The connector's connection log says when it reset the flow, and why.
            awaitLog(connector, "\"close_reason\":\"ACCESS_REVOKED", Duration.ofSeconds(5));
            String closedLine = Files.readAllLines(connector.log()).stream()
                    .filter(line -> line.contains("\"close_reason\":\"ACCESS_REVOKED")).reduce((a, b) -> b).orElseThrow();
            Instant closedAt = Instant.parse(field(closedLine, "time"));
            long millis = Duration.between(removedAt, closedAt).toMillis();
            assertTrue(millis <= 1_000, "the flow was closed " + millis + " ms after the change: " + closedLine);

            Path deniedErr = home.resolve("revoked-next.err");
            Process next = cli(home.resolve("revoked-next.out"), deniedErr, "connect", "127.0.0.1", Integer.toString(echo.getLocalPort()));
            next.getOutputStream().close();
            assertTrue(next.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, next.exitValue());
            assertTrue(Files.readString(deniedErr).contains("denied"), Files.readString(deniedErr));
        } finally {
            process.destroy();
            setFamily(true);
        }
    }

    static String curl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return process.exitValue() + " " + output;
    }

    @Test
    void upProxiesSocksAndHttpConnectToResourcesAndRefusesTheRest() throws Exception {
        int local;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            local = probe.getLocalPort();
        }
        Path stdout = home.resolve("up.out");
        Path stderr = home.resolve("up.err");
        Process process = cli(stdout, stderr, "up", "--listen", "127.0.0.1:" + local);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(stdout).contains("zerogate up") && System.nanoTime() < deadline && process.isAlive()) {
                Thread.sleep(100);
            }
            String page = "http://127.0.0.1:" + web.getAddress().getPort() + "/";
            String viaSocks = curl("--socks5-hostname", "127.0.0.1:" + local, page);
            assertTrue(viaSocks.startsWith("0 ") && viaSocks.contains("pi-hole admin"), viaSocks);
            String viaConnect = curl("--proxytunnel", "-x", "http://127.0.0.1:" + local, page);
            assertTrue(viaConnect.startsWith("0 ") && viaConnect.contains(MARKER), viaConnect);

            // 127.0.0.2 is no resource of this person: refused, with a message that says so.
            String other = curl("--proxytunnel", "-x", "http://127.0.0.1:" + local, "http://127.0.0.2:" + web.getAddress().getPort() + "/");
            assertFalse(other.startsWith("0 "), other);
            String refusedSocks = curl("--socks5-hostname", "127.0.0.1:" + local, "http://127.0.0.2:" + web.getAddress().getPort() + "/");
            assertFalse(refusedSocks.startsWith("0 "), refusedSocks);
        } finally {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void whenOneOfTwoConnectorsDiesNewFlowsGoThroughTheOther() throws Exception {
        String spareId = createConnector("pi-2");
        ServiceProcess spare = startConnector(spareId, "connector-2", spareConnectorPort);
        ServiceProcess dying = connector;
        dying.close(); // the first connector goes away
        connector = spare; // later tests read the survivor's connection log

        long started = System.nanoTime();
        connectEchoes("failover", "after the failover\n");
        assertTrue(Files.readString(spare.log()).contains("\"event\":\"flow_closed\""), "the flow went through the survivor");
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) < 30, "the flow took too long after the failover");
    }

    @Test
    void aRelayThatStopsDrainsItsConnectorWhichRegistersAgainOnceTheRelayIsBackAndCarriesFlows() throws Exception {
        ServiceProcess current = connector;
        long registeredBefore = occurrences(current.log(), "registered with relay");
        relay.close(); // SIGTERM: the relay's graceful stop
        assertTrue(Files.readString(current.log()).contains("drains (DRAIN_REASON_RELAY_SHUTDOWN"),
                "the connector heard the Drain before the relay exited:\n" + Files.readString(current.log()));
        assertTrue(Files.readString(relay.log()).contains("acknowledged the drain"), Files.readString(relay.log()));

        relay = startRelay("relay-restarted");
        awaitMoreOccurrences(current.log(), "registered with relay", registeredBefore, Duration.ofSeconds(45));
        connectEchoes("after-drain", "after the relay came back\n");
    }

    /** A connector of the home network, created in policy-svc as an admin does; returns its id. */
    static String createConnector(String name) throws InterruptedException {
        try (GrpcProbe probe = GrpcProbe.connect(policy.port())) {
            var admin = GrpcProbe.withBearer(PolicyAdminServiceGrpc.newBlockingStub(probe.channel()), adminToken);
            return admin.createConnector(CreateConnectorRequest.newBuilder().setConnector(Connector.newBuilder()
                    .setName(name).setRemoteNetworkId(networkId)).build()).getConnector().getId();
        }
    }

    /** The connector's live state as an admin sees it in policy-svc. */
    static ConnectorLiveState live(String connectorId) throws InterruptedException {
        try (GrpcProbe probe = GrpcProbe.connect(policy.port())) {
            var admin = GrpcProbe.withBearer(PolicyAdminServiceGrpc.newBlockingStub(probe.channel()), adminToken);
            return admin.getConnector(GetConnectorRequest.newBuilder().setId(connectorId).build()).getConnector().getLive();
        }
    }

    /** Polls the connector's live state until it is {@code online} (or not); fails after {@code timeout}. */
    static ConnectorLiveState awaitLive(String connectorId, boolean online, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ConnectorLiveState state = live(connectorId);
        while (state.getOnline() != online && System.nanoTime() < deadline) {
            Thread.sleep(200);
            state = live(connectorId);
        }
        assertEquals(online, state.getOnline(), "policy-svc's live state of connector " + connectorId + " within " + timeout + ": " + state);
        return state;
    }

    @Test
    void policySvcShowsAConnectorOnlineWhileTheRelayHoldsItAndOfflineOnceItStops() throws Exception {
        String id = createConnector("pi-3");
        assertFalse(live(id).getOnline(), "never registered: offline");

        ServiceProcess third = startConnector(id, "connector-3", FreePorts.loopback());
        try {
            // Reported on registration (debounced), not at the next periodic report (60 s here).
            ConnectorLiveState online = awaitLive(id, true, Duration.ofSeconds(5));
            assertEquals(1, online.getRelayIdsCount(), online.toString());
            assertFalse(online.getVersion().isEmpty(), "the version from its Hello: " + online);
            assertTrue(online.hasLastHeartbeatAt());
        } finally {
            third.close();
        }
        // The relay reports the connector gone as soon as its stream ends, not at the next periodic
        // report, nor does policy-svc wait for offline_after (30 s).
        awaitLive(id, false, Duration.ofSeconds(5));

        String relayLog = Files.readString(relay.log());
        assertFalse(relayLog.contains(relayKey.getClientSecret()), "the relay logged its client secret");
        assertFalse(relayLog.contains("reporting connectors to policy-svc failed") || relayLog.contains("not set: this relay does not report"),
                relayLog);
    }
}
