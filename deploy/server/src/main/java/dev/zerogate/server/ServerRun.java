package dev.zerogate.server;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The {@code zerogate-server} command: {@code start} (the default) runs the control plane and
 * a relay in the foreground until SIGTERM or Ctrl-C (a systemd service runs it so); {@code stop}
 * asks a running one to stop; {@code status} says whether one runs.
 *
 * <p>Exit codes: 0 success, 1 a part failed to start, 2 the command line is wrong or another
 * server uses the same home, 3 (status) not running.
 */
public final class ServerRun {

    private static final String PID_FILE = "zerogate-server.pid";
    private static final Duration STOP_WAIT = Duration.ofSeconds(90);

    private ServerRun() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** Runs one command as {@link #main} does, but returns the exit code instead of exiting. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        List<String> rest = new ArrayList<>(List.of(args));
        String command = !rest.isEmpty() && !rest.get(0).startsWith("-") ? rest.remove(0) : "start";
        if (rest.contains("-h") || rest.contains("--help")) {
            out.print(ServerOptions.usage());
            return 0;
        }
        Path project = Path.of(System.getProperty("zerogate.project", ".")).toAbsolutePath();
        try {
            return switch (command) {
                case "start" -> start(ServerOptions.parse(rest, env, project, dev.zerogate.runkit.CurrentJava.command()), out, err);
                case "stop" -> stop(home(rest, env), out, err);
                case "status" -> status(home(rest, env), out);
                default -> throw new ServerOptions.UsageException("unknown command " + command);
            };
        } catch (ServerOptions.UsageException e) {
            err.println("zerogate-server: " + e.getMessage());
            err.print(ServerOptions.usage());
            return 2;
        }
    }

    private static Path home(List<String> rest, Map<String, String> env) {
        int at = rest.indexOf("--home");
        String home = at >= 0 && at + 1 < rest.size() ? rest.get(at + 1)
                : env.getOrDefault("ZEROGATE_HOME", System.getProperty("user.home") + "/.zerogate/server");
        return Path.of(home).toAbsolutePath().normalize();
    }

    private static int start(ServerOptions options, PrintStream out, PrintStream err) {
        try {
            Files.createDirectories(options.home());
            Files.setPosixFilePermissions(options.home(), PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            err.println("zerogate-server: cannot use " + options.home() + ": " + e.getMessage());
            return 2;
        }
        Optional<ProcessHandle> running = runningInstance(options.home());
        if (running.isPresent()) {
            err.printf("zerogate-server: already running with this home (pid %d); stop it first: zerogate-server stop%n", running.get().pid());
            return 2;
        }
        ServerStack stack = new ServerStack(options, out);
        CountDownLatch stopped = new CountDownLatch(1);
        // Registered before anything starts, so that a stop during start-up stops what is up.
        Thread stopHook = new Thread(() -> {
            out.println("stopping...");
            stack.close();
            deletePidFile(options.home());
            out.println("stopped; data kept in " + options.home());
            stopped.countDown();
        }, "zerogate-server-stop");
        Runtime.getRuntime().addShutdownHook(stopHook);
        try {
            stack.start();
        } catch (ServerStack.StartFailure e) {
            removeHook(stopHook);
            err.println("zerogate-server: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        writePidFile(options.home());
        ServerSummary.print(options, stack, out);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // A stop during start-up: the hook is already running and reports for itself.
        }
    }

    private static int stop(Path home, PrintStream out, PrintStream err) {
        Optional<ProcessHandle> running = runningInstance(home);
        if (running.isEmpty()) {
            out.println("zerogate-server is not running (home " + home + ")");
            return 0;
        }
        ProcessHandle handle = running.get();
        handle.destroy();
        try {
            handle.onExit().get(STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            err.printf("zerogate-server: pid %d did not stop within %d s%n", handle.pid(), STOP_WAIT.toSeconds());
            return 1;
        }
        out.println("stopped zerogate-server (pid " + handle.pid() + ")");
        return 0;
    }

    private static int status(Path home, PrintStream out) {
        Optional<ProcessHandle> running = runningInstance(home);
        if (running.isEmpty()) {
            out.println("not running (home " + home + ")");
            return 3;
        }
        out.printf("running (pid %d), home %s, logs in %s%n", running.get().pid(), home, home.resolve("logs"));
        return 0;
    }

    /** The live process recorded in the pid file, if it is still a zerogate-server. */
    private static Optional<ProcessHandle> runningInstance(Path home) {
        Path pidFile = home.resolve(PID_FILE);
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            // A stale file can name a pid the system has since given to another program.
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(ServerRun.class.getName())).orElse(false));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void writePidFile(Path home) {
        try {
            Files.writeString(home.resolve(PID_FILE), ProcessHandle.current().pid() + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the pid file in " + home, e);
        }
    }

    private static void deletePidFile(Path home) {
        try {
            Files.deleteIfExists(home.resolve(PID_FILE));
        } catch (IOException ignored) {
            // A stale pid file is recognised as stale at the next start.
        }
    }
}
