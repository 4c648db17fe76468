package dev.zerogate.runkit;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Services a supervisor runs as child processes: each launched with its environment and an
 * appended log ({@code ---- <time> starting} marks each start), waited for until its readiness
 * check answers 200, and stopped in reverse order, SIGTERM first. {@link #close()} may run on a
 * shutdown-hook thread while a start is still going: it stops exactly what has started.
 */
public final class ChildServices implements AutoCloseable {

    /** One running service. {@code healthHost}/{@code healthPort}/{@code tls}: where its readiness is asked. */
    public record Child(String name, Process process, Path log, String healthHost, int healthPort, boolean tls) {
    }

    /** A child that failed to start or to become ready; the message names it and quotes its log. */
    public static final class ChildFailure extends Exception {
        public ChildFailure(String message) {
            super(message);
        }
    }

    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    private static final int LOG_TAIL_LINES = 25;

    private final PrintStream out;
    private final Duration readyTimeout;
    /** Guarded by this. */
    private final List<Child> children = new ArrayList<>();
    /** Guarded by this. */
    private boolean closed;

    public ChildServices(PrintStream out, Duration readyTimeout) {
        this.out = out;
        this.readyTimeout = readyTimeout;
    }

    /** Starts {@code command} with only {@code env} added to this process's environment. */
    public Child launch(String name, List<String> command, Map<String, String> env, Path log,
                        String healthHost, int healthPort, boolean tls) throws IOException {
        Files.createDirectories(log.getParent());
        Files.writeString(log, "---- " + Instant.now() + " starting " + name + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        synchronized (this) {
            if (closed) {
                throw new IOException("stopped while starting");
            }
            Child child = new Child(name, builder.start(), log, healthHost, healthPort, tls);
            children.add(child);
            return child;
        }
    }

    /** Returns once {@code child} answers ready; fails when it exits first or takes too long. */
    public void awaitReady(Child child) throws ChildFailure, InterruptedException {
        Instant deadline = Instant.now().plus(readyTimeout);
        String lastAnswer = "no answer yet";
        while (Instant.now().isBefore(deadline)) {
            if (!child.process().isAlive()) {
                throw new ChildFailure(child.name() + " exited with code " + child.process().exitValue()
                        + " before it was ready. Last lines of " + child.log() + ":\n" + tail(child.log()));
            }
            try {
                HealthProbe.Answer answer = HealthProbe.ready(child.healthHost(), child.healthPort(), child.tls());
                if (answer.status() == 200) {
                    return;
                }
                lastAnswer = "HTTP " + answer.status() + " " + answer.body().replaceAll("\\s+", " ");
            } catch (IOException e) {
                lastAnswer = "not listening yet";
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
        throw new ChildFailure(child.name() + " was not ready within " + readyTimeout.toSeconds()
                + " s (last answer: " + lastAnswer + "). Last lines of " + child.log() + ":\n" + tail(child.log()));
    }

    /** The part of an appended log written since its last start. */
    public static String thisStartsLog(Path log) {
        try {
            String text = Files.readString(log);
            return text.substring(Math.max(0, text.lastIndexOf("---- ")));
        } catch (IOException e) {
            return "";
        }
    }

    public static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    public synchronized List<Child> children() {
        return List.copyOf(children);
    }

    /** Stops every child, last started first, each given 15 s after SIGTERM. Safe to call twice. */
    @Override
    public void close() {
        List<Child> toStop;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toStop = new ArrayList<>(children);
        }
        Collections.reverse(toStop);
        for (Child child : toStop) {
            child.process().destroy();
            try {
                if (!child.process().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    out.printf("%s did not stop within %d s; killing it%n", child.name(), STOP_GRACE.toSeconds());
                    child.process().destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                child.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
