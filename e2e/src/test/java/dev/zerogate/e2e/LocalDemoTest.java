package dev.zerogate.e2e;

import dev.zerogate.local.LocalDemo;
import dev.zerogate.local.LocalOptions;
import dev.zerogate.local.LocalStack;
import dev.zerogate.proto.policy.v1.GetConnectorRequest;
import dev.zerogate.proto.policy.v1.PolicyAdminServiceGrpc;
import dev.zerogate.testkit.FreePorts;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.ZerogateCli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one-command local run's demo, followed as a person would: start the run, read what it
 * printed, log in with the CLI as the admin it created (approving with the password from the
 * file it names), forward a port and fetch the demo page through relay and connector; then
 * restart the run and do it again with the connector's stored credentials.
 */
class LocalDemoTest {

    static final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path home;
    @TempDir
    Path clientConfig;

    private LocalStack stack;
    private ZerogateCli cli;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Process process : processes) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void theFirstStartProvisionsADemoThatThePrintedCommandsReachThroughTheTunnelAndARestartKeepsIt() throws Exception {
        cli = ZerogateCli.packaged(LocalStackHarness.projectDir(), clientConfig);
        int portBase = FreePorts.consecutiveLoopback(LocalOptions.PORT_SPAN + 1);
        LocalOptions options = LocalStackHarness.options(home, portBase).withDemo(true);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        stack = LocalStack.of(options, new PrintStream(printed, true, StandardCharsets.UTF_8)).start();

        Optional<LocalDemo.Provisioned> demo = stack.demo();
        assertTrue(demo.isPresent(), "no demo on a first start: " + stack.demoNotProvisioned());
        Path passwordFile = LocalDemo.adminPasswordFile(options);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile)));
        String password = Files.readString(passwordFile).strip();
        assertTrue(password.length() >= 24, "a generated password");

        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        dev.zerogate.local.LocalRun.printDemo(options, new PrintStream(summary, true, StandardCharsets.UTF_8));
        String commands = summary.toString(StandardCharsets.UTF_8);
        int webPort = portBase + LocalDemo.WEB_PAGE_PORT_OFFSET;
        // One URL: the discovery document names policy-svc and the relay.
        assertTrue(commands.contains("login " + options.identityUrl() + "\n"), commands);
        assertTrue(commands.contains("forward " + (portBase + 80) + ":127.0.0.1:" + webPort + "    (leave it running)"), commands);
        assertTrue(commands.contains(passwordFile.toString()), commands);
        assertFalse(commands.contains(password), "the password itself is never printed");

        cli.login(options.identityUrl(), options.policyUrl(), LocalDemo.ADMIN, password, Duration.ofSeconds(60));
        assertTrue(fetchThroughForward(options, webPort).contains(LocalDemo.WEB_PAGE_HEADING));
        // The connector logs the flow when it closes, which is after forward has stopped, so the line may lag the page.
        DataPlaneTest.awaitMoreOccurrences(connectorLog(), FLOW_CLOSED, 0, Duration.ofSeconds(15));
        // The run gave the relay a service account that policy-svc trusts: admins see the connector online.
        assertTrue(connectorOnline(options, demo.get().connectorId()), "policy-svc shows the demo connector online");
        for (String service : List.of("policy-svc", "relay-svc")) {
            Path key = home.resolve("secrets").resolve(service + ".client");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)), service);
        }

        // A restart: same demo, no new bootstrap tokens, the connector signs in with what it stored.
        stack.close();
        long flowsBefore = DataPlaneTest.occurrences(connectorLog(), FLOW_CLOSED);
        stack = LocalStack.of(options, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).start();
        assertEquals(demo, stack.demo());
        assertTrue(fetchThroughForward(options, webPort).contains(LocalDemo.WEB_PAGE_HEADING));
        // The restarted connector carried the page: one more flow in its log.
        DataPlaneTest.awaitMoreOccurrences(connectorLog(), FLOW_CLOSED, flowsBefore, Duration.ofSeconds(15));
    }

    private String fetchThroughForward(LocalOptions options, int webPort) throws Exception {
        int local;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            local = probe.getLocalPort();
        }
        Path out = Files.createTempFile(home, "forward", ".out");
        Process forward = cli(out, "forward", local + ":127.0.0.1:" + webPort, "--relay-url", options.relayUrl());
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(out).contains("forwarding") && System.nanoTime() < deadline && forward.isAlive()) {
                Thread.sleep(100);
            }
            assertTrue(Files.readString(out).contains("forwarding"), "zerogate forward did not start:\n" + Files.readString(out));
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + local + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode(), Files.readString(out));
            return page.body();
        } finally {
            forward.destroy();
            forward.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Polls policy-svc's live state of the connector (as the run's admin) for up to 15 s. */
    private static boolean connectorOnline(LocalOptions options, String connectorId) throws Exception {
        String token = LocalDemo.signInAsAdmin(options);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        try (GrpcProbe probe = GrpcProbe.connect(options.portBase() + 2)) {
            var admin = GrpcProbe.withBearer(PolicyAdminServiceGrpc.newBlockingStub(probe.channel()), token);
            while (true) {
                boolean online = admin.getConnector(GetConnectorRequest.newBuilder().setId(connectorId).build()).getConnector()
                        .getLive().getOnline();
                if (online || System.nanoTime() > deadline) {
                    return online;
                }
                Thread.sleep(200);
            }
        }
    }

    /** The connector logs each flow with this line when it closes, which is after forward stops. */
    private static final String FLOW_CLOSED = "\"event\":\"flow_closed\"";

    private Path connectorLog() {
        return home.resolve("logs").resolve("connector-svc.log");
    }

    private Process cli(Path out, String... args) throws IOException {
        Process process = cli.command(args).redirectOutput(out.toFile()).start();
        processes.add(process);
        return process;
    }
}
