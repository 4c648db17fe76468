package dev.zerogate.e2e;

import dev.zerogate.runkit.EmbeddedPostgresServer;
import dev.zerogate.local.LocalOptions;
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
import dev.zerogate.testkit.netlab.NetLab;
import dev.zerogate.testkit.netlab.NetLab.Place;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.zerogate.e2e.IdentityAndPolicyTest.claim;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The data plane behind real NAT. A lab of network namespaces (testkit NetLab): the connector
 * and the private resources in "home" behind a NAT that drops every unsolicited inbound packet;
 * the person's laptop in "cafe" behind another NAT; the control plane and the relay on the public
 * segment (this machine, plugged in as 203.0.113.100). Names such as {@code pihole.lan} exist only
 * in home's hosts file, so they resolve only at the connector. Through it: a web page via
 * {@code forward}, a byte-exact echo of several MB via {@code connect}, a SOCKS5 request with
 * curl via {@code up}, and an OpenSSH session with {@code zerogate connect} as ProxyCommand.
 */
class NatLabDataPlaneTest {

    static final String MARKER = (UUID.randomUUID() + "" + UUID.randomUUID()).replace("-", "");

    @TempDir
    static Path home;

    static NetLab lab;
    static EmbeddedPostgresServer postgres;
    static ServiceProcess identity;
    static ServiceProcess policy;
    static ServiceProcess relay;
    static String relayUrl;
    static Path clientConfig;
    static Path sshKey;

    @BeforeAll
    static void start() throws Exception {
        var unavailable = NetLab.availability();
        assumeTrue(unavailable.isEmpty(), () -> "network namespaces unavailable here: " + unavailable.orElse(""));
        for (String tool : List.of("socat", "curl", "ssh", "ssh-keygen")) {
            assumeTrue(installed(tool), tool + " is not installed (CI installs it: .ci/run)");
        }
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/sshd")), "openssh-server is not installed (CI installs it: .ci/run)");
        lab = NetLab.create();
        String internet = lab.attachHost();

        int base = FreePorts.consecutiveLoopback(5);
        postgres = EmbeddedPostgresServer.start(home, base, home.resolve("postgres.log"));
        String issuer = "http://" + internet + ":" + (base + 1);
        identity = ServiceProcess.start("identity-svc", "identity", base + 1, postgres.ensureDatabase("zerogate_identity"),
                Map.of("QUARKUS_HTTP_HOST", "0.0.0.0", "ZEROGATE_IDENTITY_ISSUER", issuer,
                        "ZEROGATE_IDENTITY_KEYS_MASTER_KEY_FILE", home.resolve("identity-master.key").toString(),
                        "ZEROGATE_PUBLIC_POLICY_URL", "http://" + internet + ":" + (base + 2),
                        "ZEROGATE_PUBLIC_RELAYS", dev.zerogate.local.RelayKeyFile.publicEntry("http://" + internet + ":" + (base + 4),
                                home.resolve("relay-state"))), home);
        IdentityAndPolicyTest.identity = identity;
        String adminToken = IdentityAndPolicyTest.createFirstAdmin();
        String policyUrl = "http://" + internet + ":" + (base + 2);
        policy = ServiceProcess.start("policy-svc", "policy", base + 2, postgres.ensureDatabase("zerogate_policy"),
                IdentityAndPolicyTest.policyEnvironment(issuer, IdentityAndPolicyTest.policyServiceAccount(adminToken), home,
                        Map.of("QUARKUS_HTTP_HOST", "0.0.0.0")), home);
        relayUrl = "http://" + internet + ":" + (base + 4);
        relay = ServiceProcess.start("relay-svc", "relay", base + 3, null,
                Map.of("QUARKUS_HTTP_HOST", "0.0.0.0", "ZEROGATE_RELAY_IDENTITY_URL", issuer, "ZEROGATE_RELAY_POLICY_URL", policyUrl,
                        "ZEROGATE_RELAY_PORT", Integer.toString(base + 4), "ZEROGATE_RELAY_HOST", "0.0.0.0",
                        "ZEROGATE_RELAY_STATE_DIR", home.resolve("relay-state").toString()), home);

        // Home: names known only there, a web page on the second address, an echo and sshd on the first.
        lab.addHost(Place.HOME, "pihole.lan", lab.homeSecondAddress());
        lab.addHost(Place.HOME, "homeserver.lan", lab.homeAddress());
        Path page = home.resolve("page.http");
        Files.writeString(page, "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<h1>pi-hole admin</h1>" + MARKER + "\n");
        lab.start(Place.HOME, List.of("socat", "TCP-LISTEN:80,bind=" + lab.homeSecondAddress() + ",fork,reuseaddr",
                "SYSTEM:cat " + page), Map.of(), home.resolve("web.log"));
        lab.start(Place.HOME, List.of("socat", "TCP-LISTEN:7007,bind=" + lab.homeAddress() + ",fork,reuseaddr", "EXEC:cat"),
                Map.of(), home.resolve("echo.log"));
        sshKey = startSshd(lab, home);
        lab.awaitTcpListening(Place.HOME, 80, Duration.ofSeconds(10));
        lab.awaitTcpListening(Place.HOME, 7007, Duration.ofSeconds(10));
        lab.awaitTcpListening(Place.HOME, 22, Duration.ofSeconds(10));

        // The admin's policy, then the connector provisioned as the admin does it, started at home.
        String userId = claim(adminToken, "sub");
        String networkId;
        String connectorId;
        try (GrpcProbe probe = GrpcProbe.connect(policy.port())) {
            var admin = GrpcProbe.withBearer(PolicyAdminServiceGrpc.newBlockingStub(probe.channel()), adminToken);
            networkId = admin.createRemoteNetwork(CreateRemoteNetworkRequest.newBuilder()
                    .setRemoteNetwork(RemoteNetwork.newBuilder().setName("home")).build()).getRemoteNetwork().getId();
            connectorId = admin.createConnector(CreateConnectorRequest.newBuilder().setConnector(Connector.newBuilder()
                    .setName("pi").setRemoteNetworkId(networkId)).build()).getConnector().getId();
            String pihole = resource(admin, networkId, "pihole.lan", 80, 80);
            String server = resource(admin, networkId, "homeserver.lan", 22, 7007);
            String family = admin.createGroup(CreateGroupRequest.newBuilder().setGroup(Group.newBuilder().setName("family")
                    .setSource(GroupSource.GROUP_SOURCE_LOCAL).addMembers(GroupMember.newBuilder().setUserId(userId))).build())
                    .getGroup().getId();
            admin.createAccessRule(CreateAccessRuleRequest.newBuilder().setRule(AccessRule.newBuilder().setName("family → home")
                    .setGroupId(family).addResourceIds(pihole).addResourceIds(server)).build());
        }
        Map<String, String> environment = TunnelStack.connectorEnvironment(identity.port(), adminToken, connectorId, networkId);
        // Only ZEROGATE_URL and the tokens: the discovery document names policy-svc and the relay.
        // The lab's "internet" is plain http:// off loopback, as a lab may be.
        environment.put("ZEROGATE_INSECURE_HTTP", "true");
        environment.put("ZEROGATE_CONNECTOR_STATE_DIR", home.resolve("connector-state").toString());
        environment.put("QUARKUS_HTTP_PORT", "7404");
        Path connectorApp = LocalStackHarness.projectDir().resolve("connector-svc/target/quarkus-app/quarkus-run.jar");
        lab.start(Place.HOME, List.of(LocalOptions.currentJava(), "-jar", connectorApp.toString()), environment, home.resolve("connector.log"));
        DataPlaneTest.awaitLog(relay, "connector " + connectorId + " of network " + networkId + " registered", Duration.ofSeconds(60));

        clientConfig = DataPlaneTest.enrolledClient(identity, home.resolve("client-config"), "http://" + internet + ":" + identity.port(), policyUrl,
                relayUrl, home.resolve("relay-state"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (lab != null) {
            lab.close();
        }
        for (AutoCloseable part : new AutoCloseable[]{relay, policy, identity, postgres}) {
            if (part != null) {
                part.close();
            }
        }
    }

    static boolean installed(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/usr/bin", tool));
    }

    static String resource(PolicyAdminServiceGrpc.PolicyAdminServiceBlockingStub admin, String network, String fqdn, int... ports) {
        PortRanges.Builder ranges = PortRanges.newBuilder();
        for (int port : ports) {
            ranges.addRanges(PortRange.newBuilder().setFirstPort(port).setLastPort(port));
        }
        return admin.createResource(CreateResourceRequest.newBuilder().setResource(Resource.newBuilder().setRemoteNetworkId(network)
                .setName(fqdn).setAddress(ResourceAddress.newBuilder().setFqdn(fqdn))
                .setTcp(PortPolicy.newBuilder().setListed(ranges))).build()).getResource().getId();
    }

    /** sshd in {@code lab}'s home on its first address, port 22, accepting one generated key for root; returns the private key's path. */
    static Path startSshd(NetLab lab, Path home) throws Exception {
        Path dir = Files.createDirectories(home.resolve("sshd"));
        Files.createDirectories(Path.of("/run/sshd"));
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString());
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("client_key").toString());
        Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "ListenAddress " + lab.homeAddress(), "Port 22", "HostKey " + dir.resolve("host_key"),
                "PidFile " + dir.resolve("sshd.pid"), "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PermitRootLogin prohibit-password", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
                "UsePAM no", "StrictModes no", "") );
        lab.start(Place.HOME, List.of("/usr/sbin/sshd", "-D", "-e", "-f", config.toString()), Map.of(), home.resolve("sshd.log"));
        return dir.resolve("client_key");
    }

    static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), String.join(" ", command) + ": " + output);
    }

    /** The `zerogate` command line as it runs in the cafe. */
    static List<String> zerogate(String... args) {
        List<String> command = new ArrayList<>(List.of("env", "ZEROGATE_CONFIG_DIR=" + clientConfig, "ZEROGATE_RELAY_URL=" + relayUrl,
                // The lab's "internet" is plain http:// off loopback, as a lab may be.
                "ZEROGATE_INSECURE_HTTP=true",
                LocalOptions.currentJava(), "-jar",
                LocalStackHarness.projectDir().resolve("client/target/quarkus-app/quarkus-run.jar").toString()));
        command.addAll(List.of(args));
        return command;
    }

    static String shell(List<String> words) {
        StringBuilder line = new StringBuilder();
        for (String word : words) {
            line.append('\'').append(word.replace("'", "'\\''")).append("' ");
        }
        return line.toString().trim();
    }

    @Test
    void theCafeCannotReachHomeWithoutZerogate() {
        NetLab.Result direct = lab.run(Place.CAFE, Duration.ofSeconds(10), "curl", "-sS", "--max-time", "3",
                "http://" + lab.homeSecondAddress() + "/");
        assertTrue(!direct.succeeded(), "home is reachable from the cafe without zerogate: " + direct);
    }

    @Test
    void aByteExactEchoOfSeveralMegabytesThroughConnect() {
        Path sent = home.resolve("sent.bin");
        Path received = home.resolve("received.bin");
        NetLab.Result result = lab.run(Place.CAFE, Duration.ofSeconds(120), "sh", "-c",
                "head -c 5000000 /dev/urandom > " + sent + " && " + shell(zerogate("connect", "homeserver.lan", "7007"))
                        + " < " + sent + " > " + received + " && cmp " + sent + " " + received + " && echo same");
        assertTrue(result.succeeded() && result.stdout().contains("same"), result.toString());
    }

    @Test
    void aWebPageThroughForward() throws Exception {
        Process forward = lab.start(Place.CAFE, zerogate("forward", "127.0.0.1:8080:pihole.lan:80"), Map.of(), home.resolve("forward.log"));
        try {
            lab.awaitTcpListening(Place.CAFE, 8080, Duration.ofSeconds(60));
            NetLab.Result page = lab.run(Place.CAFE, Duration.ofSeconds(60), "curl", "-sS", "--max-time", "30", "http://127.0.0.1:8080/");
            assertTrue(page.succeeded() && page.stdout().contains(MARKER), page + "\n" + Files.readString(home.resolve("forward.log")));
        } finally {
            forward.destroy();
        }
    }

    @Test
    void aSocks5RequestWithCurlThroughUp() throws Exception {
        Process up = lab.start(Place.CAFE, zerogate("up", "--listen", "127.0.0.1:1080"), Map.of(), home.resolve("up.log"));
        try {
            lab.awaitTcpListening(Place.CAFE, 1080, Duration.ofSeconds(60));
            // --socks5-hostname: the name goes to the connector, which resolves it in the home network.
            NetLab.Result page = lab.run(Place.CAFE, Duration.ofSeconds(60), "curl", "-sS", "--max-time", "30",
                    "--socks5-hostname", "127.0.0.1:1080", "http://pihole.lan/");
            assertTrue(page.succeeded() && page.stdout().contains("pi-hole admin"), page + "\n" + Files.readString(home.resolve("up.log")));
        } finally {
            up.destroy();
        }
    }

    @Test
    void anSshSessionWithConnectAsProxyCommand() {
        String proxy = shell(zerogate("connect")) + " %h %p";
        NetLab.Result session = lab.run(Place.CAFE, Duration.ofSeconds(120), "ssh", "-i", sshKey.toString(),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-o", "ProxyCommand=" + proxy, "root@homeserver.lan", "echo ssh-through-zerogate-" + MARKER.substring(0, 8));
        assertTrue(session.succeeded() && session.stdout().contains("ssh-through-zerogate-" + MARKER.substring(0, 8)), session.toString());
    }

    /**
     * The laptop's network changes under a running `zerogate up` (a new address, as after moving
     * from Wi-Fi to a phone's tether): the session from the old address can never hear from the
     * relay again, and the next flow must not wait for its keepalive to declare it dead.
     */
    @Test
    void aRunningUpCarriesNewFlowsFromANewAddressWithinSecondsOfTheChange() throws Exception {
        Process up = lab.start(Place.CAFE, zerogate("up", "--listen", "127.0.0.1:1081"), Map.of(), home.resolve("up-moving.log"));
        String oldAddress = lab.cafeAddress();
        String newAddress = "10.77.0.11";
        try {
            lab.awaitTcpListening(Place.CAFE, 1081, Duration.ofSeconds(60));
            NetLab.Result before = lab.run(Place.CAFE, Duration.ofSeconds(60), "curl", "-sS", "--max-time", "30",
                    "--socks5-hostname", "127.0.0.1:1081", "http://pihole.lan/");
            assertTrue(before.succeeded() && before.stdout().contains(MARKER), before + "\n" + Files.readString(home.resolve("up-moving.log")));

            moveCafe(oldAddress, newAddress);
            Thread.sleep(2_000); // the change is noticed within a second or two
            long started = System.nanoTime();
            NetLab.Result after = lab.run(Place.CAFE, Duration.ofSeconds(30), "curl", "-sS", "--max-time", "10",
                    "--socks5-hostname", "127.0.0.1:1081", "http://pihole.lan/");
            long millis = (System.nanoTime() - started) / 1_000_000;
            String log = Files.readString(home.resolve("up-moving.log"));
            assertTrue(after.succeeded() && after.stdout().contains(MARKER), "the first flow after the change: " + after + "\n" + log);
            assertTrue(millis < 5_000, "the first flow after the change took " + millis + " ms");
        } finally {
            up.destroy();
            moveCafe(newAddress, oldAddress);
        }
    }

    /** Gives the café host {@code to} instead of {@code from}, keeping its default route. */
    static void moveCafe(String from, String to) {
        NetLab.Result moved = lab.run(Place.CAFE, Duration.ofSeconds(10), "sh", "-c",
                "echo 1 > /proc/sys/net/ipv4/conf/eth0/promote_secondaries && ip addr add " + to + "/24 dev eth0 && ip addr del "
                        + from + "/24 dev eth0 && ip route replace default via 10.77.0.1");
        assertTrue(moved.succeeded(), moved.toString());
    }
}
