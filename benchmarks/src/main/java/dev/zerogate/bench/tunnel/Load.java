package dev.zerogate.bench.tunnel;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The load generator: blocking sockets, one thread per flow, 64 KiB writes. Socket buffers are
 * left to the kernel's autotuning (setting SO_SNDBUF/SO_RCVBUF would switch it off and cap them
 * at net.core.[rw]mem_max). Every wait is bounded: a stalled path fails its measurement instead
 * of hanging the run.
 */
final class Load {

    static final int CHUNK = 64 * 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    /** New flows that may fail before the latency measurement gives up on a path. */
    private static final int MAX_FAILED_FLOWS = 20;

    /** Incompressible, though nothing on these paths compresses. */
    private static final byte[] DATA = new byte[CHUNK];

    static {
        new Random(42).nextBytes(DATA);
    }

    private Load() {
    }

    /** {@code bytes} in {@code nanos} of wall time. */
    record Throughput(long bytes, long nanos) {
        /** Decimal megabytes (10^6 bytes) per second. */
        double megabytesPerSecond() {
            return bytes / 1e6 / (nanos / 1e9);
        }
    }

    /** Several measurements of one kind, in the order they ran; the figure is their median. */
    record Throughputs(List<Throughput> runs) {
        Throughputs {
            if (runs.isEmpty()) {
                throw new IllegalArgumentException("no runs");
            }
            runs = List.copyOf(runs);
        }

        /** The median by MB/s (the middle one of an odd count, the slower middle one of an even count). */
        Throughput median() {
            List<Throughput> sorted = new ArrayList<>(runs);
            sorted.sort(Comparator.comparingDouble(Throughput::megabytesPerSecond));
            return sorted.get((sorted.size() - 1) / 2);
        }

        /** Every run's MB/s, in order: "702, 720, 744". */
        String each() {
            return String.join(", ", runs.stream().map(run -> String.format("%,.0f", run.megabytesPerSecond())).toList());
        }
    }

    /** {@link #throughput} {@code runs} times in a row. */
    static Throughputs throughputs(InetSocketAddress address, int flows, long bytesPerFlow, Duration timeout, int runs) throws Exception {
        List<Throughput> measured = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            measured.add(throughput(address, flows, bytesPerFlow, timeout));
        }
        return new Throughputs(measured);
    }

    /**
     * {@code flows} concurrent flows to the far end's sink through {@code address}, each sending
     * {@code bytesPerFlow}: the total over the wall time from the moment all flows start sending
     * (every flow already set up end to end) to the last flow's acknowledgement from the far end.
     */
    static Throughput throughput(InetSocketAddress address, int flows, long bytesPerFlow, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Socket> sockets = new ArrayList<>();
        ExecutorService senders = Executors.newFixedThreadPool(flows, runnable -> {
            Thread thread = new Thread(runnable, "tunnel-bench-sender");
            thread.setDaemon(true);
            return thread;
        });
        try {
            for (int i = 0; i < flows; i++) {
                Socket socket = connect(address, timeout);
                sockets.add(socket);
                socket.getOutputStream().write(FarEnd.SINK);
                expect(socket.getInputStream(), FarEnd.READY, "ready");
            }
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Long>> finished = new ArrayList<>();
            for (Socket socket : sockets) {
                finished.add(senders.submit(() -> {
                    go.await();
                    send(socket, bytesPerFlow);
                    return System.nanoTime();
                }));
            }
            long start = System.nanoTime();
            go.countDown();
            long end = start;
            for (Future<Long> flow : finished) {
                try {
                    end = Math.max(end, flow.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    throw new TimeoutException("not all bytes acknowledged within " + timeout.toSeconds() + " s");
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
            return new Throughput(flows * bytesPerFlow, end - start);
        } finally {
            // Closing unblocks any sender still writing into a stalled path.
            for (Socket socket : sockets) {
                socket.close();
            }
            senders.shutdownNow();
        }
    }

    private static void send(Socket socket, long bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        new DataOutputStream(out).writeLong(bytes);
        for (long left = bytes; left > 0; left -= CHUNK) {
            out.write(DATA, 0, (int) Math.min(CHUNK, left));
        }
        expect(socket.getInputStream(), FarEnd.RECEIVED_ALL, "the far end's acknowledgement");
    }

    /** Latencies of new flows, in microseconds, and the flows that failed. */
    record NewFlows(long[] micros, int failed, String firstFailure) {
        double percentileMillis(double p) {
            long[] sorted = micros.clone();
            Arrays.sort(sorted);
            return sorted.length == 0 ? Double.NaN
                    : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)] / 1e3;
        }
    }

    /**
     * {@code count} new flows one after another, each: connect through {@code address}
     * (TCP_NODELAY), send one byte, read the far end's echo of it, close. A flow's latency runs
     * from before connect() to the echoed byte; closing is not timed.
     */
    static NewFlows newFlows(InetSocketAddress address, int count, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long[] micros = new long[count];
        int measured = 0;
        int failed = 0;
        String firstFailure = null;
        for (int i = 0; i < count; i++) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(measured + " of " + count + " new flows within " + timeout.toSeconds() + " s");
            }
            long start = System.nanoTime();
            try (Socket socket = connect(address, Duration.ofSeconds(5))) {
                socket.getOutputStream().write(FarEnd.ECHO);
                expect(socket.getInputStream(), FarEnd.ECHO, "the echo");
                micros[measured++] = (System.nanoTime() - start) / 1_000;
            } catch (IOException e) {
                failed++;
                firstFailure = firstFailure == null ? e.toString() : firstFailure;
                if (failed > MAX_FAILED_FLOWS) {
                    throw new IOException(failed + " new flows failed, the first: " + firstFailure);
                }
            }
        }
        return new NewFlows(Arrays.copyOf(micros, measured), failed, firstFailure);
    }

    private static Socket connect(InetSocketAddress address, Duration readTimeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis()));
            socket.connect(address, CONNECT_TIMEOUT_MILLIS);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private static void expect(InputStream in, int expected, String what) throws IOException {
        int got = in.read();
        if (got != expected) {
            throw new IOException(got < 0 ? "the path closed the flow before " + what : "unexpected byte " + got + " instead of " + what);
        }
    }
}
