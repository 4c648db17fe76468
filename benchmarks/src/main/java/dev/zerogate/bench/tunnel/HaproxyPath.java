package dev.zerogate.bench.tunnel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * haproxy in TCP mode relaying to the far end: what a relay that only moves bytes costs. Its
 * configuration is the stock one for a TCP relay (haproxy's default threads, one per core; no
 * splice, no logging), generated in a temporary directory; haproxy runs in the foreground
 * ({@code -db}) as a child of the benchmark.
 */
final class HaproxyPath implements TunnelPath {

    private Process process;
    private Path dir;

    @Override
    public String name() {
        return "haproxy";
    }

    @Override
    public Optional<String> unavailable() {
        return Children.executable("haproxy").isPresent() ? Optional.empty()
                : Optional.of("haproxy is not installed (apt-get install haproxy)");
    }

    @Override
    public InetSocketAddress start(InetSocketAddress farEnd) throws IOException, InterruptedException {
        dir = Children.tempDir("zerogate-bench-haproxy-");
        InetSocketAddress listen = Children.freeLoopbackAddress();
        Path config = dir.resolve("haproxy.cfg");
        Files.writeString(config, String.join("\n",
                "global",
                "    maxconn 4096",
                "defaults",
                "    mode tcp",
                "    timeout connect 5s",
                "    timeout client 120s",
                "    timeout server 120s",
                "listen relay",
                "    bind " + hostPort(listen),
                "    server far-end " + hostPort(farEnd),
                ""));
        Path log = dir.resolve("haproxy.log");
        process = Children.start(List.of(Children.executable("haproxy").orElseThrow().toString(), "-f", config.toString(), "-db"), log);
        Children.awaitListening(process, listen, Duration.ofSeconds(15), log);
        return listen;
    }

    @Override
    public Map<String, Long> processes() {
        return Map.of("haproxy", process.pid());
    }

    static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    @Override
    public void close() {
        Children.stop(process);
        process = null;
        Children.delete(dir);
        dir = null;
    }
}
