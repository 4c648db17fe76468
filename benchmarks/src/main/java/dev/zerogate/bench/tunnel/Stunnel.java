package dev.zerogate.bench.tunnel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One stunnel process with one service, as a child of the benchmark: a client end (plain in,
 * TLS out) or a server end (TLS in, plain out). TLS 1.3 only, with the cipher suite forced to
 * {@link #CIPHER_SUITE} (the JDK's first choice too, so zerogate's SSLEngine lands on the same
 * one); each end verifies the peer's certificate against the one it was given (mutual TLS);
 * TCP_NODELAY on both sockets; session resumption left on, as stunnel ships.
 */
final class Stunnel {

    static final String CIPHER_SUITE = "TLS_AES_256_GCM_SHA384";

    private Stunnel() {
    }

    /**
     * Starts stunnel in {@code dir} accepting on {@code accept} and connecting to {@code connect};
     * returns once {@code accept} takes connections. Its log is {@code dir/<name>.log} at level
     * {@code info} (not syslog): one line per flow tells whether the TLS session was new or resumed.
     */
    static Process start(String name, boolean client, InetSocketAddress accept, InetSocketAddress connect,
                         Path certificate, Path key, Path peerCertificate, Path dir) throws IOException, InterruptedException {
        Path config = dir.resolve(name + ".conf");
        Files.writeString(config, String.join("\n",
                "foreground = yes",
                "pid =",
                "debug = info",
                // Log to the file only: syslog is stunnel's default, and without a syslog daemon
                // (no /dev/log, as here) every logged line costs so much that new flows took
                // 20-80 ms instead of ~5 ms.
                "syslog = no",
                "[" + name + "]",
                "client = " + (client ? "yes" : "no"),
                "accept = " + HaproxyPath.hostPort(accept),
                "connect = " + HaproxyPath.hostPort(connect),
                "cert = " + certificate,
                "key = " + key,
                "CAfile = " + peerCertificate,
                "verifyPeer = yes",
                "sslVersionMin = TLSv1.3",
                "ciphersuites = " + CIPHER_SUITE,
                "socket = l:TCP_NODELAY=1",
                "socket = r:TCP_NODELAY=1",
                ""));
        Path log = log(dir, name);
        Process process = Children.start(List.of(Children.executable("stunnel").orElseThrow().toString(), config.toString()), log);
        try {
            Children.awaitListening(process, accept, Duration.ofSeconds(15), log);
            return process;
        } catch (IOException | InterruptedException e) {
            Children.stop(process);
            throw e;
        }
    }

    static Path log(Path dir, String name) {
        return dir.resolve(name + ".log");
    }
}
