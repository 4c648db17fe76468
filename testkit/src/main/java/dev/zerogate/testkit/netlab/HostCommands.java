package dev.zerogate.testkit.netlab;

import dev.zerogate.testkit.netlab.NetLab.Result;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Running the host's tools for the lab: a command to completion with its output in files, a
 * failure as an exception with the command and its stderr, processes stopped with their
 * descendants, and where root's tools are ({@link Tools}).
 */
final class HostCommands {

    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private HostCommands() {
    }

    /** Runs a host command; throws with its stderr unless it exits 0. */
    static void check(List<String> command) {
        check(command, "");
    }

    /** {@code input} is shown after the command in the failure message (a batch file's lines). */
    static void check(List<String> command, String input) {
        Result result = exec(command, COMMAND_TIMEOUT);
        if (!result.succeeded()) {
            throw new IllegalStateException(String.join(" ", command) + input + "\nfailed"
                    + (result.timedOut() ? " (timed out)" : " (exit " + result.exitCode() + ")")
                    + ": " + result.stderr().trim());
        }
    }

    /** Output goes through files, so a chatty command or a grandchild holding a pipe cannot block us. */
    static Result exec(List<String> command, Duration timeout) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("zglab-", ".out");
            err = Files.createTempFile("zglab-", ".err");
            Process process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                stopAll(List.of(process.toHandle()));
            }
            return new Result(exited ? process.exitValue() : -1, Files.readString(out), Files.readString(err), !exited);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** Asks the processes and their descendants to stop, then kills whatever is left after a grace period. */
    static void stopAll(List<ProcessHandle> roots) {
        List<ProcessHandle> all = new ArrayList<>();
        for (ProcessHandle root : roots) {
            // Descendants first, collected before the parent dies and they are re-parented.
            root.descendants().forEach(all::add);
            all.add(root);
        }
        all.forEach(ProcessHandle::destroy);
        awaitExit(all, STOP_GRACE);
        List<ProcessHandle> left = all.stream().filter(ProcessHandle::isAlive).toList();
        left.forEach(ProcessHandle::destroyForcibly);
        awaitExit(left, STOP_GRACE);
    }

    static void awaitExit(List<ProcessHandle> processes, Duration limit) {
        Instant deadline = Instant.now().plus(limit);
        while (processes.stream().anyMatch(ProcessHandle::isAlive) && Instant.now().isBefore(deadline)) {
            sleep(Duration.ofMillis(20));
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temporary file; the OS cleans it up
        }
    }

    /** Locates system binaries: root's tools live in sbin, which a test JVM's PATH may lack. */
    static final class Tools {

        private static final Map<String, Optional<String>> FOUND = new ConcurrentHashMap<>();

        static Optional<String> find(String name) {
            return FOUND.computeIfAbsent(name, Tools::search);
        }

        static String require(String name) {
            return find(name).orElseThrow(() -> new IllegalStateException("`" + name + "` not installed"));
        }

        private static Optional<String> search(String name) {
            List<String> dirs = new ArrayList<>(Arrays.asList(System.getenv().getOrDefault("PATH", "").split(":")));
            dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
            return dirs.stream()
                    .filter(dir -> !dir.isEmpty())
                    .map(dir -> Path.of(dir, name))
                    .filter(Files::isExecutable)
                    .map(Path::toString)
                    .findFirst();
        }
    }
}
