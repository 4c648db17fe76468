package dev.zerogate.bench.tunnel;

import dev.zerogate.local.LocalDemo;
import dev.zerogate.local.LocalOptions;
import dev.zerogate.local.LocalStack;
import com.google.protobuf.FieldMask;
import dev.zerogate.proto.policy.v1.GetResourceRequest;
import dev.zerogate.proto.policy.v1.PolicyAdminServiceGrpc;
import dev.zerogate.proto.policy.v1.PortPolicy;
import dev.zerogate.proto.policy.v1.PortRange;
import dev.zerogate.proto.policy.v1.PortRanges;
import dev.zerogate.proto.policy.v1.Resource;
import dev.zerogate.proto.policy.v1.UpdateResourceRequest;
import dev.zerogate.testkit.FreePorts;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.ZerogateCli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * zerogate's data plane, every part real and packaged: the {@code zerogate forward} CLI (one
 * end-to-end TLS 1.3 session, each flow a stream in it) → relay-svc (public port, splices the
 * sealed-preamble connection) → connector-svc (checks each flow's grant and its copy of the
 * policy, dials the far end). The control plane (PostgreSQL, identity-svc, policy-svc) runs as
 * the local run starts it ({@link LocalStack} with its demo: first admin, network, connector);
 * the far end's port is added to the demo's resource (granted to the admin by the demo's
 * rule), and the CLI logs in as that admin. Services run with the JVM's default JIT and a 512 MiB heap cap
 * (the local run's own settings, C1 only and 256 MiB, are for a laptop's memory, not speed).
 *
 * <p>Beyond the table, {@link #extraFigures} measures what only this path has: the first flow
 * of a fresh client (session set-up included) and the relay's and connector's memory with
 * 10,000 idle flows open.
 */
final class ZerogatePath implements TunnelPath {

    static final String NAME = "zerogate (client → relay → connector)";

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(300);
    private static final List<String> SERVICE_JVM = List.of("-Xmx512m");
    private static final int FIRST_FLOW_SAMPLES = 5;
    private static final int IDLE_FLOWS = 10_000;

    private final Path project = Path.of(System.getProperty("zerogate.project", ".")).toAbsolutePath().normalize();
    private Path dir;
    private LocalStack stack;
    private LocalOptions options;
    private ZerogateCli cli;
    private Process forward;
    private InetSocketAddress farEnd;
    private InetSocketAddress forwardEntry;
    private final Thread onExit = new Thread(this::close, "zerogate-path-stop");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean baseline() {
        return false;
    }

    @Override
    public Optional<String> unavailable() {
        for (String module : List.of("identity-svc", "policy-svc", "relay-svc", "connector-svc", "client")) {
            if (!Files.isRegularFile(project.resolve(module).resolve("target/quarkus-app/quarkus-run.jar"))) {
                return Optional.of(module + " is not packaged under " + project + " (run ./bench from the checkout; it builds)");
            }
        }
        return Optional.empty();
    }

    @Override
    public InetSocketAddress start(InetSocketAddress farEnd) throws Exception {
        this.farEnd = farEnd;
        dir = Children.tempDir("zerogate-bench-zerogate-");
        // Ctrl-C: the stack's processes (PostgreSQL included) are not Children's; stop them too.
        Runtime.getRuntime().addShutdownHook(onExit);
        int portBase = FreePorts.consecutiveLoopback(LocalOptions.PORT_SPAN + 1);
        options = new LocalOptions(project, dir.resolve("stack"), portBase, READY_TIMEOUT, LocalOptions.currentJava(), SERVICE_JVM, true);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        try {
            stack = LocalStack.of(options, new PrintStream(progress, true, StandardCharsets.UTF_8)).start();
        } catch (LocalStack.StartFailure e) {
            throw new IOException("the zerogate stack did not start: " + e.getMessage());
        }
        LocalDemo.Provisioned demo = stack.demo().orElseThrow(() -> new IOException("the local run provisioned no demo: "
                + stack.demoNotProvisioned().orElse("?")));
        grantFarEnd(demo, farEnd.getPort());

        cli = ZerogateCli.packaged(project, Files.createDirectories(dir.resolve("client")));
        cli.login(options.identityUrl(), options.policyUrl(), LocalDemo.ADMIN,
                LocalDemo.adminPassword(options).orElseThrow(), Duration.ofSeconds(60));
        InetSocketAddress entry = Children.freeLoopbackAddress();
        forward = startForward(entry, "forward");
        forwardEntry = entry;
        return entry;
    }

    /**
     * The far end's port added to the demo's resource (127.0.0.1 is that resource's address, and
     * an address belongs to one resource), which the demo's rule already grants the admin.
     */
    private void grantFarEnd(LocalDemo.Provisioned demo, int port) throws IOException, InterruptedException {
        String token = LocalDemo.signInAsAdmin(options);
        try (GrpcProbe probe = GrpcProbe.connect(options.portBase() + 2)) {
            var admin = GrpcProbe.withBearer(PolicyAdminServiceGrpc.newBlockingStub(probe.channel()), token);
            Resource resource = admin.getResource(GetResourceRequest.newBuilder().setId(demo.resourceId()).build()).getResource();
            PortRanges.Builder ports = resource.getTcp().getListed().toBuilder()
                    .addRanges(PortRange.newBuilder().setFirstPort(port).setLastPort(port));
            admin.updateResource(UpdateResourceRequest.newBuilder()
                    .setResource(resource.toBuilder().setTcp(PortPolicy.newBuilder().setListed(ports)))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("tcp")).build());
        }
    }

    /** {@code zerogate forward entry:127.0.0.1:farEnd}, returned once it listens. */
    private Process startForward(InetSocketAddress entry, String logName) throws Exception {
        Path log = dir.resolve(logName + ".log");
        Process process = Children.start(cli.command("forward", entry.getPort() + ":127.0.0.1:" + farEnd.getPort(),
                "--relay-url", options.relayUrl()).redirectOutput(log.toFile()));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.readString(log).contains("forwarding")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                Children.stop(process);
                throw new IOException("zerogate forward did not start: " + Children.tail(log));
            }
            Thread.sleep(20);
        }
        return process;
    }

    @Override
    public Map<String, Long> processes() throws IOException {
        Map<String, Long> processes = new LinkedHashMap<>();
        processes.put("client", forward.pid());
        processes.put("relay", pidOf("relay-svc"));
        processes.put("connector", pidOf("connector-svc"));
        return processes;
    }

    @Override
    public List<String> extraFigures() throws Exception {
        List<String> figures = new ArrayList<>();
        figures.add(firstFlows());
        figures.addAll(idleFlows());
        return figures;
    }

    private long pidOf(String service) throws IOException {
        return stack.services().stream().filter(s -> s.spec().name().equals(service)).findFirst()
                .orElseThrow(() -> new IOException(service + " is not running")).process().pid();
    }

    /**
     * The first flow of a fresh {@code zerogate forward}: a decision and grant from policy-svc,
     * the relay's sealed preamble, the end-to-end TLS handshake with the connector, then the
     * stream. Each sample is a new CLI process, so its JVM is cold (interpreted TLS): this is
     * what a person waits for the first time, not a steady-state figure.
     */
    private String firstFlows() throws Exception {
        long[] micros = new long[FIRST_FLOW_SAMPLES];
        for (int i = 0; i < FIRST_FLOW_SAMPLES; i++) {
            InetSocketAddress entry = Children.freeLoopbackAddress();
            Process fresh = startForward(entry, "first-flow-" + i);
            try {
                long start = System.nanoTime();
                try (Socket socket = new Socket()) {
                    socket.setSoTimeout(30_000);
                    socket.connect(entry, 5_000);
                    socket.getOutputStream().write(FarEnd.ECHO);
                    if (socket.getInputStream().read() != FarEnd.ECHO) {
                        throw new IOException("the first flow of a fresh client was not echoed");
                    }
                }
                micros[i] = (System.nanoTime() - start) / 1_000;
            } finally {
                Children.stop(fresh);
            }
        }
        Arrays.sort(micros);
        return String.format("%s: first flow of a fresh `zerogate forward` (grant + relay + E2E TLS handshake + stream; cold CLI JVM): "
                        + "median %.1f ms, min %.1f ms, max %.1f ms over %d clients",
                NAME, micros[FIRST_FLOW_SAMPLES / 2] / 1e3, micros[0] / 1e3, micros[FIRST_FLOW_SAMPLES - 1] / 1e3, FIRST_FLOW_SAMPLES);
    }

    /**
     * 10,000 flows opened through the running forward (each echoed once, so it reaches the far
     * end) and left idle; the relay's and the connector's resident memory before and with them.
     */
    private List<String> idleFlows() throws Exception {
        long relayBefore = residentKib("relay-svc");
        long connectorBefore = residentKib("connector-svc");
        long clientBefore = residentKib(forward.pid());
        List<Socket> idle = new ArrayList<>(IDLE_FLOWS);
        InetSocketAddress entry = forwardEntry;
        try {
            for (int i = 0; i < IDLE_FLOWS; i++) {
                Socket socket = new Socket();
                idle.add(socket);
                socket.setSoTimeout(30_000);
                socket.connect(entry, 5_000);
                socket.getOutputStream().write(FarEnd.ECHO);
                InputStream in = socket.getInputStream();
                if (in.read() != FarEnd.ECHO) {
                    throw new IOException("idle flow " + i + " was not echoed");
                }
            }
            Thread.sleep(2_000);
            long relayWith = residentKib("relay-svc");
            long connectorWith = residentKib("connector-svc");
            long clientWith = residentKib(forward.pid());
            return List.of(
                    String.format("%s: relay resident memory %,d MiB → %,d MiB with %,d idle flows open (%+,.1f KiB per flow: the relay sees "
                                    + "one spliced session, not the flows inside it)", NAME, relayBefore / 1024, relayWith / 1024, IDLE_FLOWS,
                            (relayWith - relayBefore) / (double) IDLE_FLOWS),
                    String.format("%s: connector %,d → %,d MiB (%+,.1f KiB per flow: a socket to the far end each), client %,d → %,d MiB",
                            NAME, connectorBefore / 1024, connectorWith / 1024, (connectorWith - connectorBefore) / (double) IDLE_FLOWS,
                            clientBefore / 1024, clientWith / 1024));
        } finally {
            for (Socket socket : idle) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing is best effort
                }
            }
        }
    }

    private long residentKib(String service) throws IOException {
        return residentKib(pidOf(service));
    }

    /** VmRSS of a process, from /proc. */
    private static long residentKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for pid " + pid);
    }

    @Override
    public synchronized void close() {
        if (Thread.currentThread() != onExit) {
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException | IllegalArgumentException exitingOrNotRegistered) {
                // the JVM is exiting (the hook runs this), or start() never registered it
            }
        }
        Children.stop(forward);
        forward = null;
        if (stack != null) {
            stack.close();
            stack = null;
        }
        keepLogs();
        Children.delete(dir);
        dir = null;
    }

    /** The services' and the CLI's logs of this run, kept for a look after it (they hold no secret). */
    private void keepLogs() {
        if (dir == null) {
            return;
        }
        Path kept = Path.of(System.getProperty("java.io.tmpdir"), "zerogate-bench-logs");
        try {
            Files.createDirectories(kept);
            try (var old = Files.list(kept)) {
                for (Path stale : (Iterable<Path>) old::iterator) {
                    Files.deleteIfExists(stale);
                }
            }
            try (var logs = Files.find(dir, 3, (path, attributes) -> attributes.isRegularFile() && path.toString().endsWith(".log"))) {
                for (Path log : (Iterable<Path>) logs::iterator) {
                    Files.copy(log, kept.resolve(log.getFileName()));
                }
            }
        } catch (IOException e) {
            System.out.println("  (the zerogate path's logs could not be kept: " + e.getMessage() + ")");
        }
    }
}
