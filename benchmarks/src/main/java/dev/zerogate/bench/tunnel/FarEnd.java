package dev.zerogate.bench.tunnel;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The far end of every path: a sink and an echo on one loopback port, run in its own JVM so that
 * its work and garbage are not in the load generator's process (both still share the machine's
 * cores with the path under test).
 *
 * <p>Protocol, chosen by a flow's first byte:
 * <ul>
 *   <li>{@code 'S'} (sink): the far end answers {@code 'R'} (so the client knows the whole path
 *   is set up, TLS handshakes included, before it starts its clock), then reads an 8-byte
 *   big-endian count N and N bytes, which it discards, and answers {@code 'K'} after the last
 *   one. Throughput is measured from the count's first byte to the {@code 'K'}: every byte was
 *   received by the far end, not just buffered on the way.</li>
 *   <li>{@code 'E'} (echo): the far end writes back that byte and every later byte until end of
 *   stream.</li>
 * </ul>
 * Anything else, or end of stream before the first byte (a readiness probe), closes the flow.
 * One blocking thread per flow; TCP_NODELAY on every accepted socket.
 */
final class FarEnd implements AutoCloseable {

    static final int SINK = 'S';
    static final int READY = 'R';
    static final int RECEIVED_ALL = 'K';
    static final int ECHO = 'E';

    private final Process process;
    private final InetSocketAddress address;
    private final Path dir;

    private FarEnd(Process process, InetSocketAddress address, Path dir) {
        this.process = process;
        this.address = address;
        this.dir = dir;
    }

    /** Starts the far end in a child JVM (same Java, same class path) and waits until it accepts. */
    static FarEnd start() throws Exception {
        Path dir = Children.tempDir("zerogate-bench-far-end-");
        InetSocketAddress address = Children.freeLoopbackAddress();
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = dir.resolve("far-end.log");
        Process process = Children.start(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                FarEnd.class.getName(), Integer.toString(address.getPort())), log);
        FarEnd farEnd = new FarEnd(process, address, dir);
        try {
            Children.awaitListening(process, address, Duration.ofSeconds(30), log);
            return farEnd;
        } catch (Exception e) {
            farEnd.close();
            throw e;
        }
    }

    InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() {
        Children.stop(process);
        Children.delete(dir);
    }

    // ---- the child JVM -----------------------------------------------------------------

    /** {@code FarEnd PORT}: serves on 127.0.0.1:PORT until its standard input ends (the parent is gone). */
    public static void main(String[] args) throws IOException {
        ServerSocket server = new ServerSocket(Integer.parseInt(args[0]), 1024, InetAddress.getLoopbackAddress());
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is ever sent; only end of stream matters
                }
            } catch (IOException e) {
                // the pipe broke: the parent is gone just the same
            }
            System.exit(0);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        ExecutorService flows = Executors.newCachedThreadPool();
        while (true) {
            Socket socket = server.accept();
            flows.execute(() -> serve(socket));
        }
    }

    private static void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            int mode = in.read();
            if (mode == SINK) {
                out.write(READY);
                long remaining = new DataInputStream(in).readLong();
                byte[] buffer = new byte[256 * 1024];
                while (remaining > 0) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                    if (n < 0) {
                        return;
                    }
                    remaining -= n;
                }
                out.write(RECEIVED_ALL);
                in.read(); // the client closes first; its end of stream ends the flow
            } else if (mode == ECHO) {
                out.write(mode);
                byte[] buffer = new byte[16 * 1024];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            // a flow the client abandoned: nothing to report from here
        }
    }
}
