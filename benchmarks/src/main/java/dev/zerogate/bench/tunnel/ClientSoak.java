package dev.zerogate.bench.tunnel;

import dev.zerogate.local.LocalDemo;
import dev.zerogate.local.LocalOptions;
import dev.zerogate.local.LocalStack;
import dev.zerogate.testkit.FreePorts;
import dev.zerogate.testkit.ZerogateCli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code ./bench soak [--minutes N] [--every-ms N]}: a running {@code zerogate up} left alone
 * for an hour (by default) while a flow goes through it every second, with short access tokens
 * and device certificates so that the hour holds many refreshes and renewals (the {@code bench}
 * script gives identity-svc 60 s tokens and 10-minute certificates unless the environment sets
 * them), and the relay restarted halfway. Each flow is an HTTP request to the local run's demo
 * page through the proxy's SOCKS5 port; beside it, the same request straight to the page is
 * the baseline, so that a failure of the machine is not counted as zerogate's.
 *
 * <p>Prints flows made and failed for both, their p50/p99, how many access tokens and device
 * certificates the client went through, how long the relay was away and how long after its
 * return the first flow worked. A bounded soak, not a test: it is never part of the suite.
 */
public final class ClientSoak {

    private record Flow(Instant at, boolean ok, long micros) {
    }

    private final Duration length;
    private final Duration every;
    private final Path project = Path.of(System.getProperty("zerogate.project", ".")).toAbsolutePath().normalize();

    private ClientSoak(Duration length, Duration every) {
        this.length = length;
        this.every = every;
    }

    public static void run(List<String> options) throws Exception {
        Duration length = Duration.ofMinutes(60);
        Duration every = Duration.ofSeconds(1);
        for (int i = 0; i < options.size(); i++) {
            switch (options.get(i)) {
                case "--minutes" -> length = Duration.ofMinutes(Long.parseLong(options.get(++i)));
                case "--every-ms" -> every = Duration.ofMillis(Long.parseLong(options.get(++i)));
                default -> throw new IllegalArgumentException("soak takes --minutes N and --every-ms N, not " + options.get(i));
            }
        }
        new ClientSoak(length, every).soak();
    }

    private void soak() throws Exception {
        String tokens = System.getenv().getOrDefault("ZEROGATE_IDENTITY_TOKENS_ACCESS_TOKEN_LIFETIME", "10m (default)");
        String certificates = System.getenv().getOrDefault("ZEROGATE_IDENTITY_DEVICES_CERTIFICATE_LIFETIME", "24h (default)");
        System.out.printf("client soak: %d min of `zerogate up`, a flow every %d ms; access tokens %s, device certificates %s;"
                + " the relay restarted halfway%n", length.toMinutes(), every.toMillis(), tokens, certificates);
        Path dir = Children.tempDir("zerogate-soak-");
        int portBase = FreePorts.consecutiveLoopback(LocalOptions.PORT_SPAN + 1);
        LocalOptions options = new LocalOptions(project, dir.resolve("stack"), portBase, Duration.ofSeconds(300),
                LocalOptions.currentJava(), LocalOptions.DEFAULT_JVM_OPTIONS, true);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        LocalStack stack = LocalStack.of(options, new PrintStream(progress, true, StandardCharsets.UTF_8)).start();
        Thread onExit = new Thread(stack::close, "soak-stack-stop");
        Runtime.getRuntime().addShutdownHook(onExit);
        try {
            Path config = Files.createDirectories(dir.resolve("client"));
            ZerogateCli cli = ZerogateCli.packaged(project, config);
            cli.login(options.identityUrl(), options.policyUrl(), LocalDemo.ADMIN, LocalDemo.adminPassword(options).orElseThrow(),
                    Duration.ofSeconds(60));
            InetSocketAddress proxy = Children.freeLoopbackAddress();
            Path log = dir.resolve("up.log");
            Process up = Children.start(cli.command("up", "--listen", "127.0.0.1:" + proxy.getPort(), "--relay-url", options.relayUrl())
                    .redirectOutput(log.toFile()));
            Children.awaitListening(up, proxy, Duration.ofSeconds(60), log);
            InetSocketAddress page = new InetSocketAddress("127.0.0.1", portBase + LocalDemo.WEB_PAGE_PORT_OFFSET);
            measure(stack, up, proxy, page, config, log);
            Children.stop(up);
        } finally {
            stack.close();
            Runtime.getRuntime().removeShutdownHook(onExit);
            Children.delete(dir);
        }
    }

    private void measure(LocalStack stack, Process up, InetSocketAddress proxy, InetSocketAddress page, Path config, Path log)
            throws Exception {
        List<Flow> viaZerogate = new ArrayList<>();
        List<Flow> direct = new ArrayList<>();
        Set<String> accessTokens = new HashSet<>();
        Set<String> deviceCertificates = new HashSet<>();
        Instant start = Instant.now();
        Instant end = start.plus(length);
        Instant relayStopped = null;
        Instant relayReady = null;
        Instant resumed = null;
        long nextReport = 1;
        while (Instant.now().isBefore(end) && up.isAlive()) {
            Instant tick = Instant.now();
            accessTokens.add(field(Files.readString(config.resolve("credentials.json")), "access_token"));
            deviceCertificates.add(Files.readString(config.resolve("device.crt")));
            if (relayStopped == null && tick.isAfter(start.plus(length.dividedBy(2)))) {
                relayStopped = Instant.now();
                stack.restart("relay-svc");
                relayReady = Instant.now();
                while (resumed == null && Duration.between(relayReady, Instant.now()).toSeconds() < 60) {
                    Flow flow = flow(proxy, page);
                    viaZerogate.add(flow);
                    if (flow.ok()) {
                        resumed = flow.at();
                    } else {
                        Thread.sleep(100);
                    }
                }
                continue;
            }
            viaZerogate.add(flow(proxy, page));
            direct.add(flow(null, page));
            long minutes = Duration.between(start, Instant.now()).toMinutes();
            if (minutes >= nextReport * 10) {
                System.out.printf("  ... %d min: %d flows, %d failed%n", minutes, viaZerogate.size(),
                        viaZerogate.stream().filter(f -> !f.ok()).count());
                nextReport++;
            }
            long sleep = every.toMillis() - Duration.between(tick, Instant.now()).toMillis();
            if (sleep > 0) {
                Thread.sleep(sleep);
            }
        }
        // The restart's window: from the relay's stop to the first flow that worked after it.
        Instant windowStart = relayStopped;
        Instant windowEnd = resumed != null ? resumed : relayReady;
        List<Flow> outside = viaZerogate.stream().filter(f -> windowStart == null || f.at().isBefore(windowStart) || f.at().isAfter(windowEnd))
                .toList();
        System.out.println(line("zerogate up (SOCKS5)", outside) + (up.isAlive() ? "" : "; zerogate up EXITED: " + Children.tail(log)));
        System.out.println(line("direct (baseline)", direct));
        if (windowStart != null) {
            System.out.printf("  relay restart: away %.1f s (graceful stop to ready); %d flows failed after it was ready; first flow %s%n",
                    Duration.between(windowStart, relayReady).toMillis() / 1e3, viaZerogate.size() - outside.size() - (resumed != null ? 1 : 0),
                    resumed == null ? "NEVER within 60 s" : String.format("%.2f s after the relay was ready",
                            Duration.between(relayReady, resumed).toMillis() / 1e3));
        }
        System.out.printf("  the client went through %d access tokens and %d device certificates; its log has %d lines%n",
                accessTokens.size(), deviceCertificates.size(), Files.readAllLines(log).size());
    }

    private static String line(String name, List<Flow> flows) {
        long failed = flows.stream().filter(f -> !f.ok()).count();
        long[] micros = flows.stream().filter(Flow::ok).mapToLong(Flow::micros).sorted().toArray();
        return String.format("  %-22s %6d flows, %4d failed; p50 %.2f ms, p99 %.2f ms", name, flows.size(), failed,
                percentile(micros, 0.50) / 1e3, percentile(micros, 0.99) / 1e3);
    }

    private static double percentile(long[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    /** One HTTP request for the demo page, through the SOCKS5 proxy or straight; ok when the page came back. */
    private static Flow flow(InetSocketAddress socks, InetSocketAddress page) {
        Instant at = Instant.now();
        long started = System.nanoTime();
        try (Socket socket = socks == null ? new Socket() : new Socket(new Proxy(Proxy.Type.SOCKS, socks))) {
            socket.setSoTimeout(10_000);
            socket.connect(socks == null ? page : InetSocketAddress.createUnresolved(page.getHostString(), page.getPort()), 10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET / HTTP/1.0\r\nHost: " + page.getHostString() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            boolean ok = response.startsWith("HTTP/1.") && response.contains(LocalDemo.WEB_PAGE_HEADING);
            return new Flow(at, ok, (System.nanoTime() - started) / 1_000);
        } catch (IOException e) {
            return new Flow(at, false, (System.nanoTime() - started) / 1_000);
        }
    }

    private static String field(String json, String name) {
        int key = json.indexOf("\"" + name + "\"");
        int start = json.indexOf('"', json.indexOf(':', key) + 1) + 1;
        return json.substring(start, json.indexOf('"', start));
    }
}
