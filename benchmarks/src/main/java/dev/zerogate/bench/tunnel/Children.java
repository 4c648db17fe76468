package dev.zerogate.bench.tunnel;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The child processes and temporary directories of a tunnel benchmark. Everything started or
 * created here is stopped or deleted by one shutdown hook, so Ctrl-C (which runs hooks, not
 * finally blocks) leaves nothing behind; {@link #stop} and {@link #delete} do it earlier. Only
 * processes started here are ever signalled, each through its own handle.
 */
final class Children {

    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    /** Running children and live temporary directories, and whether the JVM is exiting; guarded by {@code Children.class}. */
    private static final Set<Process> RUNNING = new HashSet<>();
    private static final Set<Path> DIRECTORIES = new HashSet<>();
    private static boolean exiting;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Children::cleanUp, "tunnel-bench-cleanup"));
    }

    /**
     * The shutdown hook: from here on nothing new starts (the main thread may still be running
     * a measurement and try to), then every child is stopped and every directory deleted.
     */
    private static void cleanUp() {
        List<Process> processes;
        List<Path> directories;
        synchronized (Children.class) {
            exiting = true;
            processes = new ArrayList<>(RUNNING);
            directories = new ArrayList<>(DIRECTORIES);
        }
        processes.forEach(Children::stop);
        directories.forEach(Children::delete);
    }

    private Children() {
    }

    /**
     * Starts {@code command} with its output (both streams) in {@code log}. Its standard input
     * stays a pipe from this JVM: a child that reads it (the far end does) sees end of file when
     * this JVM dies, however it dies.
     */
    static Process start(List<String> command, Path log) throws IOException {
        return register(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()));
    }

    /** Starts a child set up by the caller (its output already redirected), stopped like the others on exit. */
    static synchronized Process start(ProcessBuilder builder) throws IOException {
        return register(builder);
    }

    private static synchronized Process register(ProcessBuilder builder) throws IOException {
        if (exiting) {
            throw new IOException("the benchmark is exiting");
        }
        Process process = builder.start();
        RUNNING.add(process);
        return process;
    }

    /** Returns once {@code address} accepts a TCP connection; throws if {@code process} exits or time runs out. */
    static void awaitListening(Process process, InetSocketAddress address, Duration timeout, Path log)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException(process.info().command().orElse("child") + " exited with " + process.exitValue() + ": " + tail(log));
            }
            try (Socket probe = new Socket()) {
                probe.connect(address, 250);
                return;
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("nothing listens on " + address + " after " + timeout.toSeconds() + " s: " + tail(log));
            }
            Thread.sleep(50);
        }
    }

    /** Asks {@code process} to stop (SIGTERM), then kills it if it has not within a few seconds. */
    static void stop(Process process) {
        if (process == null) {
            return;
        }
        try {
            process.destroy();
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            synchronized (Children.class) {
                RUNNING.remove(process);
            }
        }
    }

    /** Runs a short command to completion (e.g. openssl) in {@code dir}; throws with its output if it fails. */
    static String run(Path dir, Duration timeout, String... command) throws IOException, InterruptedException {
        Path output = dir.resolve("command-" + System.nanoTime() + ".out");
        Process process = register(new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))));
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException(command[0] + " did not finish in " + timeout.toSeconds() + " s");
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " exited with " + process.exitValue() + ": " + text.strip());
            }
            return text;
        } finally {
            stop(process);
            Files.deleteIfExists(output);
        }
    }

    /** A new temporary directory, deleted by {@link #delete} or at exit. */
    static synchronized Path tempDir(String prefix) throws IOException {
        if (exiting) {
            throw new IOException("the benchmark is exiting");
        }
        Path dir = Files.createTempDirectory(prefix);
        DIRECTORIES.add(dir);
        return dir;
    }

    /** Deletes {@code dir} and everything in it; the shutdown hook and the main thread may both call it. */
    static synchronized void delete(Path dir) {
        if (dir == null || !DIRECTORIES.remove(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("  could not delete " + dir + ": " + e.getMessage());
        }
    }

    /** The executable {@code name} on PATH (or in /usr/sbin, /usr/bin, where Debian installs these tools). */
    static Optional<Path> executable(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin" + File.pathSeparator + "/usr/bin";
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** A loopback address with a port that was free a moment ago (another process could still take it). */
    static InetSocketAddress freeLoopbackAddress() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket socket = new ServerSocket(0, 1, loopback)) {
            return new InetSocketAddress(loopback, socket.getLocalPort());
        }
    }

    /** The last lines of a child's log, for an error message. */
    static String tail(Path log) {
        try {
            List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size())).strip();
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
