package dev.zerogate.bench.tunnel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The off-the-shelf equivalent of zerogate's data plane, and the row the others are compared
 * with: client → stunnel (client end: plain in, TLS 1.3 out) → haproxy (TCP relay, sees only
 * ciphertext) → stunnel (server end: TLS in, plain out) → far end. Mutual TLS with throwaway
 * certificates made for the run (see {@link TlsFiles}, {@link Stunnel}).
 */
final class StunnelHaproxyStunnelPath implements TunnelPath {

    static final String NAME = "stunnel → haproxy → stunnel";

    private static final Pattern NEW = Pattern.compile("TLS connected: new session negotiated");
    private static final Pattern RESUMED = Pattern.compile("TLS connected: previous session reused");
    private static final Pattern SUITE = Pattern.compile("(TLSv[0-9.]+) ciphersuite: (\\S+)");
    private static final Pattern KEY_EXCHANGE = Pattern.compile("Peer temporary key: ([^\\r\\n]+)");

    private final HaproxyPath relay = new HaproxyPath();
    private Process clientEnd;
    private Process serverEnd;
    private Path dir;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Long> processes() {
        Map<String, Long> processes = new LinkedHashMap<>();
        processes.put("stunnel client end", clientEnd.pid());
        processes.putAll(relay.processes());
        processes.put("stunnel server end", serverEnd.pid());
        return processes;
    }

    @Override
    public Optional<String> unavailable() {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("stunnel", "haproxy", "openssl")) {
            if (Children.executable(tool).isEmpty()) {
                missing.add(tool);
            }
        }
        return missing.isEmpty() ? Optional.empty()
                : Optional.of(String.join(" and ", missing) + " not installed (apt-get install stunnel4 haproxy openssl)");
    }

    @Override
    public InetSocketAddress start(InetSocketAddress farEnd) throws Exception {
        dir = Children.tempDir("zerogate-bench-stunnel-");
        TlsFiles tls = TlsFiles.create(dir);
        InetSocketAddress serverAddress = Children.freeLoopbackAddress();
        serverEnd = Stunnel.start("server-end", false, serverAddress, farEnd,
                tls.serverCertificate(), tls.serverKey(), tls.clientCertificate(), dir);
        InetSocketAddress relayAddress = relay.start(serverAddress);
        InetSocketAddress clientAddress = Children.freeLoopbackAddress();
        clientEnd = Stunnel.start("client-end", true, clientAddress, relayAddress,
                tls.clientCertificate(), tls.clientKey(), tls.serverCertificate(), dir);
        return clientAddress;
    }

    /** What the client end's log says it negotiated, over every flow of this path (warm-up included). */
    @Override
    public List<String> notes() {
        if (dir == null) {
            return List.of();
        }
        String log;
        try {
            log = new String(Files.readAllBytes(Stunnel.log(dir, "client-end")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
        Matcher suite = SUITE.matcher(log);
        Matcher keyExchange = KEY_EXCHANGE.matcher(log);
        return List.of(String.format("%s: %s %s, key exchange %s; mutual TLS (each end verifies the other's self-signed P-256 certificate)",
                        NAME, suite.find() ? suite.group(1) : "?", suite.find(0) ? suite.group(2) : "?", keyExchange.find() ? keyExchange.group(1) : "?"),
                String.format("%s: TLS sessions new %,d, resumed %,d (stunnel's client end resumes by default: most new flows skip certificate checks)",
                        NAME, NEW.matcher(log).results().count(), RESUMED.matcher(log).results().count()));
    }

    @Override
    public void close() {
        Children.stop(clientEnd);
        clientEnd = null;
        relay.close();
        Children.stop(serverEnd);
        serverEnd = null;
        Children.delete(dir);
        dir = null;
    }
}
