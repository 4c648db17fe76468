package dev.zerogate.e2e;

import dev.zerogate.testkit.TempDirs;
import dev.zerogate.testkit.netlab.NetLab;
import dev.zerogate.testkit.netlab.NetLab.Place;
import dev.zerogate.testkit.netlab.NetLab.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The NAT lab behaves as the data-plane tests rely on: LAN hosts reach the internet through
 * their router's masquerade, nothing reaches into a LAN from outside, and close() leaves no
 * namespace or process behind, whatever the test body did. No Quarkus, no packaged services.
 */
class NetLabTest {

    private static final Duration QUICK = Duration.ofSeconds(10);
    /** Connect limit of a probe: far above a veth round trip, short enough for a fast test. */
    private static final String CONNECT_TIMEOUT = "connect-timeout=2";

    private static NetLab lab;
    private static Path logs;

    @BeforeAll
    static void createLab() throws IOException {
        String reason = NetLab.availability().orElse("");
        assumeTrue(reason.isEmpty(), () -> "network namespaces unavailable: " + reason);
        assumeTrue(installed("socat"), "socat is not installed");
        logs = Files.createTempDirectory("zerogate-netlab-");
        lab = NetLab.create();
    }

    @AfterAll
    static void closeLab() throws IOException {
        if (lab != null) {
            lab.close();
        }
        if (logs != null) {
            TempDirs.deleteRecursively(logs);
        }
    }

    @Test
    void internetServerSeesTheRouterWanAddressAsPeer() throws Exception {
        int port = 18551;
        startPeerEcho(lab, Place.INTERNET, port);

        Result fromHome = connect(lab, Place.HOME, lab.internetAddress(), port);
        Result fromCafe = connect(lab, Place.CAFE, lab.internetAddress(), port);

        assertTrue(fromHome.succeeded(), fromHome::toString);
        assertEquals(lab.address(Place.HOME_ROUTER), fromHome.stdout().trim(), "home's peer address behind NAT");
        assertTrue(fromCafe.succeeded(), fromCafe::toString);
        assertEquals(lab.address(Place.CAFE_ROUTER), fromCafe.stdout().trim(), "cafe's peer address behind NAT");

        String extra = lab.addInternetAddress();
        Result toExtra = connect(lab, Place.HOME, extra, port);
        assertEquals("203.0.113.11", extra);
        assertTrue(toExtra.succeeded(), toExtra::toString);
        assertEquals(lab.address(Place.HOME_ROUTER), toExtra.stdout().trim());

        // A JVM runs in a namespace as the services will: the test classes' own peer program.
        Path testClasses = Path.of(NetLabPeer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Result java = lab.run(Place.CAFE, Duration.ofSeconds(30), currentJava(), "-cp", testClasses.toString(),
                NetLabPeer.class.getName(), lab.internetAddress(), Integer.toString(port));
        assertTrue(java.succeeded(), java::toString);
        assertEquals(lab.address(Place.CAFE_ROUTER), java.stdout().trim());
    }

    @Test
    void homeServerIsUnreachableFromTheInternetAndFromTheCafe() {
        int port = 18552;
        startPeerEcho(lab, Place.HOME, port);
        // The server is up and answers on its LAN.
        Result fromLan = connect(lab, Place.HOME_ROUTER, lab.homeAddress(), port);
        assertTrue(fromLan.succeeded(), fromLan::toString);
        assertEquals("192.168.77.1", fromLan.stdout().trim());

        record Probe(Place from, String address) {
        }
        List<Probe> probes = List.of(
                new Probe(Place.INTERNET, lab.homeAddress()),
                new Probe(Place.INTERNET, lab.homeSecondAddress()),
                new Probe(Place.INTERNET, lab.address(Place.HOME_ROUTER)),
                new Probe(Place.CAFE, lab.homeAddress()),
                new Probe(Place.CAFE, lab.address(Place.HOME_ROUTER)));
        List<CompletableFuture<Result>> results = probes.stream()
                .map(probe -> CompletableFuture.supplyAsync(() -> connect(lab, probe.from(), probe.address(), port)))
                .toList();
        for (int i = 0; i < probes.size(); i++) {
            Result result = results.get(i).join();
            String what = probes.get(i) + ": " + result;
            assertFalse(result.succeeded(), what);
            // Silently dropped by the router: a route exists, no refusal, no ICMP error.
            assertTrue(result.stderr().contains("Connection timed out"), what);
        }
    }

    @Test
    void hostNamesAreSeenOnlyInTheirOwnPlace() {
        lab.addHost(Place.HOME, "intranet.home.test", lab.homeSecondAddress());

        Result atHome = lab.run(Place.HOME, QUICK, "getent", "hosts", "intranet.home.test");
        Result atCafe = lab.run(Place.CAFE, QUICK, "getent", "hosts", "intranet.home.test");

        assertTrue(atHome.succeeded(), atHome::toString);
        assertTrue(atHome.stdout().startsWith(lab.homeSecondAddress() + " "), atHome::toString);
        assertEquals(2, atCafe.exitCode(), "getent: not found in the cafe: " + atCafe);
    }

    @Test
    void closeStopsEveryProcessAndDeletesTheNamespacesWhenTheBodyThrows() throws Exception {
        List<ProcessHandle> processes = new ArrayList<>();
        List<String> namespaces = new ArrayList<>();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> {
            try (NetLab doomed = NetLab.create()) {
                for (Place place : Place.values()) {
                    namespaces.add(doomed.namespace(place));
                }
                // Two children under a shell; and a shell that ignores SIGTERM (passed on to its sleep).
                Process tree = doomed.start(Place.HOME, List.of("sh", "-c", "sleep 300 & sleep 300 & wait"), Map.of(),
                        logs.resolve("tree.log"));
                Process stubborn = doomed.start(Place.INTERNET, List.of("sh", "-c", "trap '' TERM; sleep 300"),
                        Map.of(), logs.resolve("stubborn.log"));
                awaitDescendants(tree, 2);
                awaitDescendants(stubborn, 1);
                processes.add(tree.toHandle());
                processes.add(stubborn.toHandle());
                processes.addAll(tree.descendants().toList());
                processes.addAll(stubborn.descendants().toList());
                // A daemon that detached: not a descendant of anything the lab started.
                Result daemon = doomed.run(Place.CAFE, QUICK, "sh", "-c", "sleep 300 </dev/null >/dev/null 2>&1 & echo $!");
                ProcessHandle detached = ProcessHandle.of(Long.parseLong(daemon.stdout().trim())).orElseThrow();
                processes.add(detached);
                assertEquals(doomed.namespace(Place.CAFE), host("ip", "netns", "identify", Long.toString(detached.pid())).trim());
                assertTrue(processes.stream().allMatch(ProcessHandle::isAlive), "all running before close");
                throw new IllegalStateException("the test body failed");
            }
        });

        assertEquals("the test body failed", thrown.getMessage());
        assertEquals(0, thrown.getSuppressed().length, "close() reported a failure");
        assertEquals(6, processes.size());
        for (ProcessHandle process : processes) {
            assertFalse(process.isAlive(), "still running: " + process.pid() + " " + process.info());
        }
        String listed = host("ip", "netns", "list");
        for (String namespace : namespaces) {
            assertFalse(listed.contains(namespace), namespace + " still in: " + listed);
            assertFalse(Files.exists(Path.of("/etc/netns", namespace)), "/etc/netns/" + namespace);
        }
    }

    @Test
    void removeLeftoversDeletesDeadRunsAndSparesLiveLabs() throws Exception {
        // A run that died without cleaning up: no live owner, a process still inside.
        String leftover = "zglab-" + unusedId() + "-home";
        host("ip", "netns", "add", leftover);
        Process inside = new ProcessBuilder("ip", "netns", "exec", leftover, "sleep", "300")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            awaitTrue(() -> host("ip", "netns", "pids", leftover).contains(Long.toString(inside.pid())));

            List<String> removed = NetLab.removeLeftovers();

            assertTrue(removed.contains(leftover), removed::toString);
            assertTrue(inside.waitFor(5, TimeUnit.SECONDS), "process in the leftover namespace killed");
            String listed = host("ip", "netns", "list");
            assertFalse(listed.contains(leftover), listed);
            for (Place place : Place.values()) {
                assertTrue(listed.contains(lab.namespace(place)), "live lab kept: " + lab.namespace(place));
            }
        } finally {
            inside.destroyForcibly();
            new ProcessBuilder("ip", "netns", "del", leftover).start().waitFor();
        }
    }

    @Test
    void iptablesRoutersMasqueradeAndDropAsWell() throws Exception {
        assumeTrue(installed("iptables"), "iptables is not installed");
        try (NetLab legacy = NetLab.create(NetLab.Firewall.IPTABLES)) {
            int port = 18553;
            startPeerEcho(legacy, Place.INTERNET, port);
            startPeerEcho(legacy, Place.HOME, port);

            Result out = connect(legacy, Place.HOME, legacy.internetAddress(), port);
            Result in = connect(legacy, Place.INTERNET, legacy.homeAddress(), port);

            assertTrue(out.succeeded(), out::toString);
            assertEquals(legacy.address(Place.HOME_ROUTER), out.stdout().trim());
            assertFalse(in.succeeded(), in::toString);
            assertTrue(in.stderr().contains("Connection timed out"), in::toString);
        }
    }

    /** A TCP server that answers each connection with the peer address it sees, then closes. */
    private static void startPeerEcho(NetLab on, Place place, int port) {
        on.start(place, List.of("socat", "TCP-LISTEN:" + port + ",fork,reuseaddr", "SYSTEM:echo $SOCAT_PEERADDR"),
                Map.of(), logs.resolve(on.id() + "-" + place + "-" + port + ".log"));
        on.awaitTcpListening(place, port, QUICK);
    }

    private static Result connect(NetLab on, Place from, String address, int port) {
        return on.run(from, QUICK, "socat", "-u", "TCP:" + address + ":" + port + "," + CONNECT_TIMEOUT, "STDOUT");
    }

    private static void awaitDescendants(Process process, int count) {
        awaitTrue(() -> process.descendants().count() >= count);
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Condition condition) {
        Instant deadline = Instant.now().plus(QUICK);
        try {
            while (!condition.holds()) {
                assertTrue(Instant.now().isBefore(deadline), "condition not met within " + QUICK);
                Thread.sleep(20);
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Runs a command on the host; fails the test unless it exits 0. */
    private static String host(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0,
                String.join(" ", command) + ": " + output);
        return output;
    }

    private static String unusedId() throws IOException, InterruptedException {
        String listed = host("ip", "netns", "list");
        Random random = new Random();
        while (true) {
            String id = HexFormat.of().toHexDigits((short) random.nextInt(1 << 16));
            if (!listed.contains("zglab-" + id + "-") && !Files.exists(Path.of("/run/zerogate-netlab", id))) {
                return id;
            }
        }
    }

    private static boolean installed(String tool) {
        return List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin").stream().anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
    }

    private static String currentJava() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
