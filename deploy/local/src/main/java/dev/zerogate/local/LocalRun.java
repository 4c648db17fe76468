package dev.zerogate.local;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The {@code zerogate-local} command: {@code start} (the default) runs the whole system in
 * the foreground until Ctrl-C or {@code stop}; {@code stop} asks a running one to stop;
 * {@code status} says whether one runs and where.
 *
 * <p>Exit codes: 0 success, 1 a part failed to start, 2 the machine is not ready (a port is
 * taken, another run holds the data directory) or the command line is wrong.
 */
public final class LocalRun {

    private static final String PID_FILE = "zerogate-local.pid";
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);

    private LocalRun() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command as {@link #main} does, but returns the exit code instead of exiting. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Deque<String> rest = new ArrayDeque<>(List.of(args));
        String command = !rest.isEmpty() && !rest.peek().startsWith("-") ? rest.pop() : "start";
        Path home = defaultHome();
        Path project = Path.of(System.getProperty("zerogate.project", ".")).toAbsolutePath();
        int portBase = LocalOptions.DEFAULT_PORT_BASE;
        boolean demo = true;
        try {
            while (!rest.isEmpty()) {
                String option = rest.pop();
                switch (option) {
                    case "--home" -> home = Path.of(value(rest, option));
                    case "--project" -> project = Path.of(value(rest, option));
                    case "--port-base" -> portBase = Integer.parseInt(value(rest, option));
                    case "--no-demo" -> demo = false;
                    case "-h", "--help" -> {
                        out.print(usage());
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            }
            LocalOptions options = new LocalOptions(project, home, portBase, LocalOptions.DEFAULT_READY_TIMEOUT,
                    LocalOptions.currentJava(), LocalOptions.DEFAULT_JVM_OPTIONS, demo);
            return switch (command) {
                case "start" -> start(options, out, err);
                case "stop" -> stop(options, out, err);
                case "status" -> status(options, out);
                default -> throw new IllegalArgumentException("unknown command " + command);
            };
        } catch (IllegalArgumentException e) {
            err.println("zerogate-local: " + e.getMessage());
            err.print(usage());
            return 2;
        }
    }

    private static String value(Deque<String> rest, String option) {
        if (rest.isEmpty()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return rest.pop();
    }

    /** {@code $ZEROGATE_HOME}, else {@code ~/.zerogate/local}. */
    static Path defaultHome() {
        String fromEnv = System.getenv("ZEROGATE_HOME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        return Path.of(System.getProperty("user.home"), ".zerogate", "local");
    }

    static String usage() {
        return """
                usage: zerogate-local [start|stop|status] [--home DIR] [--port-base PORT] [--no-demo]
                  start      run PostgreSQL and every service in the foreground; Ctrl-C stops them
                  stop       stop the run that uses the same data directory
                  status     say whether a run is up, and where
                  --home DIR         data directory (default $ZEROGATE_HOME or ~/.zerogate/local)
                  --port-base PORT   PostgreSQL on PORT, identity-svc PORT+1, policy-svc PORT+2,
                                     relay-svc PORT+3 (its public port PORT+5), connector-svc PORT+4,
                                     the demo web page PORT+6 (default 7400)
                  --no-demo          on a first start, create no admin and no demo: print the setup
                                     link for the first admin instead, and run the connector idle
                """;
    }

    private static int start(LocalOptions options, PrintStream out, PrintStream err) {
        try {
            Files.createDirectories(options.home());
            Files.setPosixFilePermissions(options.home(), PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            err.println("zerogate-local: cannot use " + options.home() + ": " + e.getMessage());
            return 2;
        }
        Optional<ProcessHandle> running = runningInstance(options);
        if (running.isPresent()) {
            err.printf("zerogate-local: already running with this data directory (pid %d); stop it first: zerogate-local stop%n",
                    running.get().pid());
            return 2;
        }
        LocalStack stack = LocalStack.of(options, out);
        CountDownLatch stopped = new CountDownLatch(1);
        // Registered before anything starts, so that Ctrl-C during start-up stops what is up.
        Thread stopHook = new Thread(() -> {
            out.println("stopping...");
            stack.close();
            deletePidFile(options);
            out.println("stopped; data kept in " + options.home());
            stopped.countDown();
        }, "zerogate-local-stop");
        Runtime.getRuntime().addShutdownHook(stopHook);
        try {
            stack.start();
        } catch (LocalStack.StartFailure e) {
            try {
                Runtime.getRuntime().removeShutdownHook(stopHook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C during start-up: the hook is already running and reports for itself.
            }
            err.println("zerogate-local: " + e.getMessage());
            return e.exitCode();
        }
        writePidFile(options);
        printSummary(options, stack, out);
        // The shutdown hook does the work; this thread only keeps the process in the foreground.
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static void printSummary(LocalOptions options, LocalStack stack, PrintStream out) {
        out.println();
        out.println("zerogate is running:");
        out.printf("  %-14s %-30s %s%n", "PART", "ADDRESS", "HEALTH");
        out.printf("  %-14s %-30s %s%n", "postgresql", "127.0.0.1:" + stack.postgresPort(), "-");
        for (LocalStack.RunningService s : stack.services()) {
            out.printf("  %-14s %-30s %s%n", s.spec().name(), "127.0.0.1:" + s.port() + " (gRPC+HTTP)", s.healthUrl());
        }
        out.println();
        if (stack.demo().isPresent()) {
            printDemo(options, out);
        } else {
            setupLink(options).ifPresent(link -> {
                out.println("No admin exists yet. Create one with this one-time link (valid 24 h):");
                out.println("  " + link);
                out.println("then log in from a terminal:  java -jar client/target/quarkus-app/quarkus-run.jar login");
                out.println();
            });
            stack.demoNotProvisioned().ifPresent(reason -> {
                out.println("No demo: " + reason);
                out.println();
            });
        }
        out.println("data: " + options.home() + "   logs: " + options.logDir());
        out.println("Ctrl-C (or ./zerogate-local stop) stops everything; the data stays for the next start.");
        out.flush();
    }

    /**
     * The commands that reach the demo page through the tunnel, as the person types them: log in
     * as the admin the run created, forward a local port through relay and connector, open it.
     */
    public static void printDemo(LocalOptions options, PrintStream out) {
        String zerogate = "java -jar " + options.projectDir().resolve("client/target/quarkus-app/quarkus-run.jar");
        boolean defaultPorts = options.portBase() == LocalOptions.DEFAULT_PORT_BASE;
        int webPort = options.portBase() + LocalDemo.WEB_PAGE_PORT_OFFSET;
        int localPort = options.portBase() + 80;
        out.println("Demo: a web page on 127.0.0.1:" + webPort + " is a resource of the network \"local demo\", behind the local");
        out.println("connector. Reach it through the tunnel (client -> relay -> connector) as the admin the run created,");
        out.println("user " + LocalDemo.ADMIN + ", password in " + LocalDemo.adminPasswordFile(options) + ":");
        // One URL: its discovery document names policy-svc and the relay with its key.
        out.println("  " + zerogate + " login" + (defaultPorts ? "" : " " + options.identityUrl()));
        out.println("  " + zerogate + " forward " + localPort + ":127.0.0.1:" + webPort + "    (leave it running)");
        out.println("  curl http://127.0.0.1:" + localPort + "/    (or open it in a browser)");
        out.println();
    }

    /** The setup link identity-svc printed during this start, if it printed one (no admin yet). */
    static Optional<String> setupLink(LocalOptions options) {
        // Only this start's part of the appended log counts.
        String thisStart = LocalStack.thisStartsLog(options.logDir().resolve("identity-svc.log"));
        java.util.regex.Matcher link = java.util.regex.Pattern.compile("(http\\S+/setup\\?token=[A-Za-z0-9_-]+)").matcher(thisStart);
        String last = null;
        while (link.find()) {
            last = link.group(1);
        }
        return Optional.ofNullable(last);
    }

    private static int stop(LocalOptions options, PrintStream out, PrintStream err) {
        Optional<ProcessHandle> running = runningInstance(options);
        if (running.isEmpty()) {
            out.println("zerogate-local is not running (data directory " + options.home() + ")");
            return 0;
        }
        ProcessHandle handle = running.get();
        handle.destroy();
        try {
            handle.onExit().get(STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            err.printf("zerogate-local: pid %d did not stop within %d s%n", handle.pid(), STOP_WAIT.toSeconds());
            return 1;
        }
        out.println("stopped zerogate-local (pid " + handle.pid() + ")");
        return 0;
    }

    private static int status(LocalOptions options, PrintStream out) {
        Optional<ProcessHandle> running = runningInstance(options);
        if (running.isEmpty()) {
            out.println("not running (data directory " + options.home() + ")");
            return 3;
        }
        out.printf("running (pid %d), data directory %s%n", running.get().pid(), options.home());
        for (ServiceSpec spec : ServiceSpec.ALL) {
            out.printf("  %-14s http://127.0.0.1:%d/q/health%n", spec.name(), spec.port(options.portBase()));
        }
        return 0;
    }

    /** The live process recorded in the pid file, if it is still a zerogate-local run. */
    private static Optional<ProcessHandle> runningInstance(LocalOptions options) {
        Path pidFile = options.home().resolve(PID_FILE);
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            // A stale file can name a pid that the system has since given to another program.
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(LocalRun.class.getName())
                            || String.join(" ", a).contains("zerogate-local")).orElse(false));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void writePidFile(LocalOptions options) {
        try {
            Files.writeString(options.home().resolve(PID_FILE), ProcessHandle.current().pid() + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write pid file in " + options.home(), e);
        }
    }

    private static void deletePidFile(LocalOptions options) {
        try {
            Files.deleteIfExists(options.home().resolve(PID_FILE));
        } catch (IOException ignored) {
            // A stale pid file is recognised as stale at the next start.
        }
    }
}
