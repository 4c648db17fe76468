package dev.zerogate.e2e;

import dev.zerogate.local.LocalOptions;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.CreateAccessRuleRequest;
import dev.zerogate.proto.policy.v1.CreateGroupRequest;
import dev.zerogate.proto.policy.v1.CreateRemoteNetworkRequest;
import dev.zerogate.proto.policy.v1.Group;
import dev.zerogate.proto.policy.v1.GroupMember;
import dev.zerogate.proto.policy.v1.GroupSource;
import dev.zerogate.proto.policy.v1.PolicyAdminServiceGrpc;
import dev.zerogate.proto.policy.v1.RemoteNetwork;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.netlab.NetLab;
import dev.zerogate.testkit.netlab.NetLab.Place;
import dev.zerogate.testkit.netlab.PacketCapture;
import dev.zerogate.testkit.tls.WebPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.zerogate.e2e.IdentityAndPolicyTest.claim;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The deployment zerogate is for, end to end, over TLS and real NAT (issue 14). In a lab of
 * network namespaces (testkit NetLab):
 * <ul>
 *   <li><b>public</b> (203.0.113.10, the lab's internet segment) runs {@code zerogate-server} as its
 *       README says: identity-svc, policy-svc and a relay with TLS for {@code zg.example.test}
 *       from a CA this test makes, the embedded PostgreSQL;</li>
 *   <li><b>home</b>, behind a NAT that drops every unsolicited packet, runs the connector given only
 *       {@code ZEROGATE_URL} and its tokens, a web page at {@code pihole.lan:80}, an OpenSSH server
 *       and an echo server;</li>
 *   <li><b>cafe</b>, behind another NAT, runs the CLI: {@code zerogate login https://zg.example.test}
 *       approved over HTTPS by this test acting as the person, then {@code up} and {@code connect}.</li>
 * </ul>
 * Names resolve through each namespace's hosts file only. tcpdump records the public segment
 * and the cafe's link for the whole class; the last test reads both captures for secrets.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HomeLabTopologyTest {

    static final String NAME = "zg.example.test";
    static final String URL = "https://" + NAME;
    static final String MARKER = (UUID.randomUUID() + "" + UUID.randomUUID()).replace("-", "");
    static final String ADMIN = "admin";
    static final String ADMIN_PASSWORD = "lab " + UUID.randomUUID();
    static final Pattern SETUP_LINK = Pattern.compile("(https://\\S+/setup\\?token=[A-Za-z0-9_-]+)");
    static final Pattern USER_CODE = Pattern.compile("shows the code (\\S+) before");
    static final int ECHO_PORT = 7007;

    @TempDir
    static Path dir;

    static NetLab lab;
    static WebPki pki;
    static Path caFile;
    static WebPki.ServerFiles serverCertificate;
    static Process server;
    static Path serverHome;
    static Path clientConfig;
    static Path sshKey;
    static final Map<String, String> secrets = new LinkedHashMap<>();
    static PacketCapture publicCapture;
    static PacketCapture cafeCapture;

    @BeforeAll
    static void start() throws Exception {
        var unavailable = NetLab.availability();
        assumeTrue(unavailable.isEmpty(), () -> "network namespaces unavailable here: " + unavailable.orElse(""));
        for (String tool : List.of("socat", "curl", "ssh", "ssh-keygen", "tcpdump", "openssl")) {
            assumeTrue(NatLabDataPlaneTest.installed(tool), tool + " is not installed (CI installs it: .ci/run)");
        }
        lab = NetLab.create();
        lab.attachHost();
        for (Place place : List.of(Place.INTERNET, Place.HOME, Place.CAFE)) {
            lab.addHost(place, NAME, lab.internetAddress());
        }
        lab.addHost(Place.HOME, "pihole.lan", lab.homeSecondAddress());
        lab.addHost(Place.HOME, "homeserver.lan", lab.homeAddress());

        pki = WebPki.rootCa("zerogate lab CA");
        caFile = pki.writeCa(dir.resolve("ca.pem"));
        serverCertificate = pki.issueServer(dir.resolve("tls"), NAME);

        publicCapture = PacketCapture.start(lab, Place.INTERNET, "br0", dir.resolve("public.pcap"));
        cafeCapture = PacketCapture.start(lab, Place.CAFE, "eth0", dir.resolve("cafe.pcap"));

        startHomeServers();
        startServer();
        createFirstAdmin();
        clientConfig = dir.resolve("cafe-config");
        login(clientConfig);
        provisionHomeAndStartConnector();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.destroy();
            server.waitFor();
        }
        if (lab != null) {
            lab.close();
        }
    }

    // ---- the tests

    @Test
    @Order(1)
    void aLaptopInTheCafeFetchesThePiholePageThroughUpWithCurlSocks5h() throws Exception {
        Instant started = Instant.now();
        Process up = lab.start(Place.CAFE, zerogate(clientConfig, "up", "--listen", "127.0.0.1:1080"), Map.of(), dir.resolve("up.log"));
        try {
            lab.awaitTcpListening(Place.CAFE, 1080, Duration.ofSeconds(60));
            NetLab.Result page = lab.run(Place.CAFE, Duration.ofSeconds(60), "curl", "-sS", "--max-time", "30",
                    "--proxy", "socks5h://127.0.0.1:1080", "http://pihole.lan/");
            Duration firstByte = Duration.between(started, Instant.now());
            assertTrue(page.succeeded() && page.stdout().contains(MARKER), page + "\n" + Files.readString(dir.resolve("up.log")));
            System.out.printf("HomeLabTopologyTest: zerogate up start to the page's first byte: %d ms%n", firstByte.toMillis());
        } finally {
            up.destroy();
            up.waitFor();
        }
    }

    @Test
    @Order(2)
    void sshToTheHomeServerWithConnectAsProxyCommand() {
        String proxy = shell(zerogate(clientConfig, "connect")) + " %h %p";
        NetLab.Result session = lab.run(Place.CAFE, Duration.ofSeconds(120), "ssh", "-i", sshKey.toString(),
                "-o", "ProxyCommand=" + proxy, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "root@homeserver.lan", "echo zerogate-ssh-$((6*7))");
        assertTrue(session.succeeded() && session.stdout().contains("zerogate-ssh-42"), session.toString());
    }

    @Test
    @Order(3)
    void nothingFromThePublicHostOrTheCafeReachesAHomeAddressDirectly() {
        for (Place from : List.of(Place.INTERNET, Place.CAFE)) {
            NetLab.Result page = lab.run(from, Duration.ofSeconds(10), "curl", "-sS", "--max-time", "3",
                    "http://" + lab.homeSecondAddress() + "/");
            assertFalse(page.succeeded(), from + " reached the page directly: " + page);
            NetLab.Result ssh = lab.run(from, Duration.ofSeconds(10), "socat", "-T", "3", "-", "TCP:" + lab.homeAddress() + ":22,connect-timeout=3");
            assertFalse(ssh.succeeded() && ssh.stdout().contains("SSH-"), from + " reached sshd directly: " + ssh);
        }
    }

    @Test
    @Order(4)
    void aClientPointedAtPlainHttpStopsBeforeItSendsAnything() throws Exception {
        // A listener where the plaintext URL points, to see whether anything arrives.
        Path connections = dir.resolve("plain-http.log");
        Process listener = lab.start(Place.INTERNET, List.of("socat", "-v", "TCP-LISTEN:80,bind=" + lab.internetAddress() + ",fork,reuseaddr",
                "SYSTEM:echo connected >&2"), Map.of(), connections);
        try {
            lab.awaitTcpListening(Place.INTERNET, 80, Duration.ofSeconds(10));
            NetLab.Result login = lab.run(Place.CAFE, Duration.ofSeconds(60),
                    zerogate(dir.resolve("plain-config"), "login", "http://" + NAME, "--no-browser"));
            assertTrue(!login.succeeded() && login.stderr().contains("--insecure-http"), login.toString());
            NetLab.Result resources = lab.run(Place.CAFE, Duration.ofSeconds(60),
                    withEnvironment(zerogate(clientConfig, "resources"), "ZEROGATE_POLICY_URL=http://" + NAME));
            assertTrue(!resources.succeeded() && resources.stderr().contains("--insecure-http"), resources.toString());
            assertFalse(Files.readString(connections).contains("connected"), "a plaintext connection was made: " + Files.readString(connections));
        } finally {
            listener.destroy();
            listener.waitFor();
        }
    }

    @Test
    @Order(5)
    void aRelayHoldingAKeyTheControlPlaneDidNotPublishIsRefused() throws Exception {
        // An impostor relay with a valid certificate for the name (an attacker who got one) and
        // its own key; the cafe's path is redirected to it, as an on-path attacker would.
        String impostorAddress = lab.addInternetAddress();
        Path state = Files.createDirectories(dir.resolve("impostor-relay"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_PORT", "17403");
        env.put("ZEROGATE_RELAY_HOST", impostorAddress);
        // Not 7405: the real relay holds *:7405 in the same namespace; the redirect maps the port.
        env.put("ZEROGATE_RELAY_PORT", "17405");
        env.put("ZEROGATE_RELAY_STATE_DIR", state.toString());
        env.put("ZEROGATE_RELAY_IDENTITY_URL", URL);
        env.put("ZEROGATE_RELAY_POLICY_URL", URL + ":7402");
        env.put("ZEROGATE_TLS_CERT", serverCertificate.fullchain().toString());
        env.put("ZEROGATE_TLS_KEY", serverCertificate.privkey().toString());
        env.put("ZEROGATE_CA_FILE", caFile.toString());
        Process impostor = lab.start(Place.INTERNET, List.of(LocalOptions.currentJava(), "-jar", application("relay-svc").toString()),
                env, dir.resolve("impostor-relay.log"));
        try {
            awaitLog(dir.resolve("impostor-relay.log"), "relay public port listening", Duration.ofSeconds(90));
            redirect(Place.CAFE, lab.internetAddress(), 7405, impostorAddress, 17405);
            NetLab.Result connect = lab.run(Place.CAFE, Duration.ofSeconds(60), "sh", "-c",
                    "echo hello | " + shell(zerogate(clientConfig, "connect", "homeserver.lan", Integer.toString(ECHO_PORT))));
            assertFalse(connect.succeeded(), connect.toString());
            assertTrue(connect.stderr().contains("It is not the relay the control plane published"), connect.toString());
        } finally {
            unredirect(Place.CAFE);
            impostor.destroy();
            impostor.waitFor();
        }
    }

    @Test
    @Order(6)
    void aCertificateForAnotherNameOrAnExpiredOneIsRefusedNamingTheProblem() throws Exception {
        WebPki.ServerFiles otherName = pki.issueServer(dir.resolve("tls-other"), "other.example.test");
        WebPki.ServerFiles expired = pki.issueServer(dir.resolve("tls-expired"), Instant.now().minus(Duration.ofDays(30)),
                Instant.now().minus(Duration.ofDays(1)), NAME);
        Map<WebPki.ServerFiles, String> expectations = new LinkedHashMap<>();
        expectations.put(otherName, "other.example.test");
        expectations.put(expired, "expired");
        for (Map.Entry<WebPki.ServerFiles, String> each : expectations.entrySet()) {
            String address = lab.addInternetAddress();
            Process impostor = lab.start(Place.INTERNET, List.of("openssl", "s_server", "-quiet", "-accept", address + ":8443",
                    "-cert", each.getKey().fullchain().toString(), "-key", each.getKey().privkey().toString(), "-www"),
                    Map.of(), dir.resolve("s_server-" + address + ".log"));
            try {
                lab.awaitTcpListening(Place.INTERNET, 8443, Duration.ofSeconds(10));
                redirect(Place.CAFE, lab.internetAddress(), 443, address, 8443);
                NetLab.Result login = lab.run(Place.CAFE, Duration.ofSeconds(60),
                        zerogate(dir.resolve("mitm-config-" + address), "login", URL, "--no-browser"));
                assertFalse(login.succeeded(), login.toString());
                assertTrue(login.stderr().contains(each.getValue()), "the refusal does not name the problem (" + each.getValue() + "): " + login);
            } finally {
                unredirect(Place.CAFE);
                impostor.destroy();
                impostor.waitFor();
            }
        }
    }

    @Test
    @Order(7)
    void aRenewedCertificateIsServedToNewConnectionsWhileAnOpenFlowCarriesOn() throws Exception {
        Process connect = lab.startPiped(Place.CAFE, zerogate(clientConfig, "connect", "homeserver.lan", Integer.toString(ECHO_PORT)),
                Map.of(), dir.resolve("renewal-connect.log"));
        try (OutputStream in = connect.getOutputStream();
             BufferedReader out = new BufferedReader(new InputStreamReader(connect.getInputStream(), StandardCharsets.UTF_8))) {
            in.write("before\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            assertEquals("before", out.readLine());

            String oldSerial = serverCertificate.certificate().getSerialNumber().toString(16);
            WebPki.ServerFiles renewed = pki.issueServer(dir.resolve("tls"), NAME);
            String newSerial = renewed.certificate().getSerialNumber().toString(16);
            long renewedAt = System.nanoTime();
            long deadline = renewedAt + Duration.ofSeconds(60).toNanos();
            for (int port : List.of(443, 7402, 7405)) {
                while (!sameSerial(servedSerial(port), renewed.certificate().getSerialNumber())) {
                    if (System.nanoTime() > deadline) {
                        fail("port " + port + " still serves " + servedSerial(port) + " (old " + oldSerial + ", new " + newSerial + ")");
                    }
                    Thread.sleep(500);
                }
            }
            System.out.printf("HomeLabTopologyTest: renewed certificate served on 443, 7402 and 7405 within %d ms of the files' change%n",
                    (System.nanoTime() - renewedAt) / 1_000_000);
            in.write("after\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            assertEquals("after", out.readLine(), "the flow opened before the renewal broke");
        } finally {
            connect.destroy();
            connect.waitFor();
        }
    }

    @Test
    @Order(100)
    void thePacketCapturesHoldNoTokenPasswordOrPageInClear() throws Exception {
        String credentials = Files.readString(clientConfig.resolve("credentials.json"));
        secrets.put("the person's access token", field(credentials, "access_token"));
        secrets.put("the person's refresh token", field(credentials, "refresh_token"));
        secrets.put("the admin's password", ADMIN_PASSWORD);
        secrets.put("the page's content", MARKER);
        for (Map.Entry<String, PacketCapture> capture : Map.of("public", publicCapture, "cafe", cafeCapture).entrySet()) {
            byte[] bytes = capture.getValue().stop();
            // The capture works: the TLS ClientHello names the server in clear (SNI).
            assertTrue(PacketCapture.contains(bytes, NAME), capture.getKey() + " capture saw no TLS handshake to " + NAME);
            List<String> leaked = PacketCapture.found(bytes, secrets);
            assertTrue(leaked.isEmpty(), "in clear on the " + capture.getKey() + " link: " + leaked);
        }
    }

    // ---- the public host

    static void startServer() throws Exception {
        serverHome = dir.resolve("server");
        Path project = LocalStackHarness.projectDir();
        Path target = project.resolve("deploy/server/target");
        List<String> command = List.of(LocalOptions.currentJava(), "-Dzerogate.project=" + project,
                "-cp", target.resolve("zerogate-server.jar") + ":" + target.resolve("lib") + "/*", "dev.zerogate.server.ServerRun",
                "start", "--url", URL, "--tls-cert", serverCertificate.fullchain().toString(), "--tls-key",
                serverCertificate.privkey().toString(), "--embedded-postgres", "--home", serverHome.toString(), "--ca-file", caFile.toString());
        Map<String, String> env = Map.of("ZEROGATE_TLS_RELOAD_PERIOD", "2s", "ZEROGATE_RELAY_TLS_RELOAD_PERIOD", "2s");
        server = lab.start(Place.INTERNET, command, env, dir.resolve("zerogate-server.out"));
        try {
            awaitLog(dir.resolve("zerogate-server.out"), "zerogate is serving " + URL, Duration.ofSeconds(300));
            // The summary's last line: the setup link above it is written by then.
            awaitLog(dir.resolve("zerogate-server.out"), "   logs: ", Duration.ofSeconds(10));
        } catch (AssertionError e) {
            fail("zerogate-server did not start\n" + evidence());
        }
    }

    static void createFirstAdmin() throws Exception {
        Matcher link = SETUP_LINK.matcher(Files.readString(dir.resolve("zerogate-server.out")));
        assertTrue(link.find(), "zerogate-server printed no setup link\n" + evidence());
        String token = link.group(1).substring(link.group(1).indexOf("token=") + "token=".length());
        NetLab.Result created = lab.run(Place.CAFE, Duration.ofSeconds(30), "curl", "-sS", "--fail", "--cacert", caFile.toString(),
                "--data-urlencode", "token=" + token, "--data-urlencode", "username=" + ADMIN,
                "--data-urlencode", "password=" + ADMIN_PASSWORD, "--data-urlencode", "confirm=" + ADMIN_PASSWORD, URL + "/setup");
        assertTrue(created.succeeded(), created + "\n" + evidence());
    }

    /** {@code zerogate login <url>} in the cafe, approved by "the person" in the cafe's browser (curl over HTTPS). */
    static void login(Path config) throws Exception {
        Path log = dir.resolve("login-" + config.getFileName() + ".log");
        Process login = lab.start(Place.CAFE, zerogate(config, "login", URL, "--no-browser"), Map.of(), log);
        String userCode = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (userCode == null && System.nanoTime() < deadline) {
            Matcher code = USER_CODE.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (code.find()) {
                userCode = code.group(1);
            } else if (!login.isAlive()) {
                fail("zerogate login ended before it showed a code: " + Files.readString(log) + "\n" + evidence());
            } else {
                Thread.sleep(200);
            }
        }
        assertTrue(userCode != null, "zerogate login showed no code: " + Files.readString(log));
        NetLab.Result approved = lab.run(Place.CAFE, Duration.ofSeconds(30), "curl", "-sS", "--fail", "--cacert", caFile.toString(),
                "--data-urlencode", "user_code=" + userCode, "--data-urlencode", "username=" + ADMIN,
                "--data-urlencode", "password=" + ADMIN_PASSWORD, "--data-urlencode", "action=approve", URL + "/device");
        assertTrue(approved.succeeded(), approved + "\n" + evidence());
        assertTrue(login.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && login.exitValue() == 0,
                "zerogate login did not complete: " + Files.readString(log));
        assertTrue(Files.readString(log).contains("enrolled"), "zerogate login enrolled no device: " + Files.readString(log) + "\n" + evidence());
    }

    // ---- home

    static void startHomeServers() throws Exception {
        Path page = dir.resolve("page.http");
        Files.writeString(page, "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<h1>pi-hole admin</h1>" + MARKER + "\n");
        lab.start(Place.HOME, List.of("socat", "TCP-LISTEN:80,bind=" + lab.homeSecondAddress() + ",fork,reuseaddr",
                "SYSTEM:cat " + page), Map.of(), dir.resolve("web.log"));
        lab.start(Place.HOME, List.of("socat", "TCP-LISTEN:" + ECHO_PORT + ",bind=" + lab.homeAddress() + ",fork,reuseaddr", "EXEC:cat"),
                Map.of(), dir.resolve("echo.log"));
        sshKey = NatLabDataPlaneTest.startSshd(lab, dir);
        lab.awaitTcpListening(Place.HOME, 80, Duration.ofSeconds(10));
        lab.awaitTcpListening(Place.HOME, ECHO_PORT, Duration.ofSeconds(10));
        lab.awaitTcpListening(Place.HOME, 22, Duration.ofSeconds(10));
    }

    /**
     * As the admin: the home network, its resources and one rule (over the admin API), the
     * connector with {@code zerogate admin connectors create} as the quick start says, then the
     * connector started at home with only the settings that command printed and the lab's CA.
     */
    static void provisionHomeAndStartConnector() throws Exception {
        String adminToken = field(Files.readString(clientConfig.resolve("credentials.json")), "access_token");
        String userId = claim(adminToken, "sub");
        String networkId;
        try (GrpcProbe policy = GrpcProbe.connectTls(lab.internetAddress(), 7402, NAME, caFile)) {
            var admin = GrpcProbe.withBearer(PolicyAdminServiceGrpc.newBlockingStub(policy.channel()), adminToken);
            networkId = admin.createRemoteNetwork(CreateRemoteNetworkRequest.newBuilder()
                    .setRemoteNetwork(RemoteNetwork.newBuilder().setName("home")).build()).getRemoteNetwork().getId();
            String pihole = NatLabDataPlaneTest.resource(admin, networkId, "pihole.lan", 80);
            String server = NatLabDataPlaneTest.resource(admin, networkId, "homeserver.lan", 22, ECHO_PORT);
            String family = admin.createGroup(CreateGroupRequest.newBuilder().setGroup(Group.newBuilder().setName("family")
                    .setSource(GroupSource.GROUP_SOURCE_LOCAL).addMembers(GroupMember.newBuilder().setUserId(userId))).build())
                    .getGroup().getId();
            admin.createAccessRule(CreateAccessRuleRequest.newBuilder().setRule(AccessRule.newBuilder().setName("family → home")
                    .setGroupId(family).addResourceIds(pihole).addResourceIds(server)).build());
        }
        NetLab.Result created = lab.run(Place.CAFE, Duration.ofSeconds(60),
                zerogate(clientConfig, "admin", "connectors", "create", "--network", networkId, "--name", "pi"));
        assertTrue(created.succeeded(), created.toString());
        Matcher placed = Pattern.compile("Placed connector pi \\(([0-9a-f-]{36})\\)").matcher(created.stdout());
        assertTrue(placed.find(), created.toString());
        String connectorId = placed.group(1);
        Map<String, String> environment = new LinkedHashMap<>();
        Matcher setting = Pattern.compile("(?m)^  (ZEROGATE_[A-Z_]+)=(\\S+)$").matcher(created.stdout());
        while (setting.find()) {
            environment.put(setting.group(1), setting.group(2));
        }
        assertEquals(URL, environment.get("ZEROGATE_URL"), created.stdout());
        assertTrue(environment.containsKey("ZEROGATE_ACCESS_TOKEN") && environment.containsKey("ZEROGATE_REFRESH_TOKEN"), created.stdout());
        secrets.put("the connector's bootstrap access token", environment.get("ZEROGATE_ACCESS_TOKEN"));
        secrets.put("the connector's bootstrap refresh token", environment.get("ZEROGATE_REFRESH_TOKEN"));
        environment.put("ZEROGATE_CA_FILE", caFile.toString());
        environment.put("ZEROGATE_CONNECTOR_STATE_DIR", dir.resolve("connector-state").toString());
        environment.put("QUARKUS_HTTP_PORT", "7404");
        lab.start(Place.HOME, List.of(LocalOptions.currentJava(), "-jar", application("connector-svc").toString()), environment,
                dir.resolve("connector.log"));
        try {
            awaitLog(serverHome.resolve("logs/relay-svc.log"), "connector " + connectorId + " of network " + networkId + " registered",
                    Duration.ofSeconds(120));
        } catch (AssertionError e) {
            fail("the connector did not register\n" + evidence());
        }
    }

    // ---- helpers

    /** The tails of the public host's logs, for a failure message. */
    static String evidence() {
        StringBuilder text = new StringBuilder();
        List<Path> logs = new ArrayList<>(List.of(dir.resolve("zerogate-server.out")));
        for (String service : List.of("identity-svc", "policy-svc", "relay-svc")) {
            logs.add(serverHome.resolve("logs").resolve(service + ".log"));
        }
        logs.add(dir.resolve("connector.log"));
        for (Path log : logs) {
            try {
                List<String> lines = Files.readAllLines(log);
                text.append("---- ").append(log.getFileName()).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()))).append('\n');
            } catch (java.io.IOException e) {
                text.append("---- ").append(log.getFileName()).append(": none\n");
            }
        }
        return text.toString();
    }

    static Path application(String module) {
        return LocalStackHarness.projectDir().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    /** The `zerogate` command line with its configuration directory and the lab's CA. */
    static List<String> zerogate(Path config, String... args) {
        List<String> command = new ArrayList<>(List.of("env", "ZEROGATE_CONFIG_DIR=" + config, "ZEROGATE_CA_FILE=" + caFile,
                LocalOptions.currentJava(), "-jar", application("client").toString()));
        command.addAll(List.of(args));
        return command;
    }

    static List<String> withEnvironment(List<String> command, String... settings) {
        List<String> result = new ArrayList<>(command.subList(0, 1));
        result.addAll(List.of(settings));
        result.addAll(command.subList(1, command.size()));
        return result;
    }

    static String shell(List<String> words) {
        return NatLabDataPlaneTest.shell(words);
    }

    /** Whether openssl's hex serial (even length, maybe a leading zero) is {@code serial}. */
    static boolean sameSerial(String opensslHex, java.math.BigInteger serial) {
        try {
            return new java.math.BigInteger(opensslHex, 16).equals(serial);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The serial number of the certificate the public host serves on {@code port}, as the cafe sees it. */
    static String servedSerial(int port) {
        NetLab.Result shown = lab.run(Place.CAFE, Duration.ofSeconds(20), "sh", "-c",
                "openssl s_client -connect " + NAME + ":" + port + " -servername " + NAME + " </dev/null 2>/dev/null"
                        + " | openssl x509 -noout -serial");
        return shown.stdout().strip().replace("serial=", "");
    }

    /** Sends {@code place}'s connections for {@code address:port} to {@code to:toPort} instead: an on-path attacker. */
    static void redirect(Place place, String address, int port, String to, int toPort) {
        NetLab.Result added = lab.run(place, Duration.ofSeconds(10), "sh", "-c",
                "nft add table ip zgmitm && nft 'add chain ip zgmitm out { type nat hook output priority -100; }'"
                        + " && nft add rule ip zgmitm out ip daddr " + address + " tcp dport " + port + " dnat to " + to + ":" + toPort);
        assertTrue(added.succeeded(), added.toString());
    }

    static void unredirect(Place place) {
        lab.run(place, Duration.ofSeconds(10), "nft", "delete", "table", "ip", "zgmitm");
    }

    static void awaitLog(Path log, String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            Thread.sleep(250);
        }
        fail("not in " + log + " within " + timeout.toSeconds() + " s: " + text + "\n"
                + (Files.exists(log) ? String.join("\n", Files.readAllLines(log).stream().skip(Math.max(0, Files.readAllLines(log).size() - 40)).toList()) : ""));
    }

    static String field(String json, String name) {
        Matcher value = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        assertTrue(value.find(), "no " + name + " in " + json.length() + " characters of JSON");
        return value.group(1);
    }
}
