package dev.zerogate.e2e;

import dev.zerogate.local.LocalOptions;
import dev.zerogate.local.LocalRun;
import dev.zerogate.local.LocalStack;
import dev.zerogate.testkit.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one-command run as a person uses it: start, see where things run, stop, and its refusals. */
class LocalRunCommandTest {

    private Path home;
    private int portBase;

    @BeforeEach
    void freshHome() throws IOException {
        home = Files.createTempDirectory("zerogate-run-");
        portBase = LocalStackHarness.freePortBase();
    }

    @AfterEach
    void removeHome() throws IOException {
        TempDirs.deleteRecursively(home);
    }

    @Test
    void startPrintsWhereEverythingRunsAndStopEndsItCleanly() throws Exception {
        Path target = LocalStackHarness.projectDir().resolve("deploy/local/target");
        String classPath = target.resolve("zerogate-local.jar") + ":" + target.resolve("lib") + "/*";
        Process run = new ProcessBuilder(LocalOptions.currentJava(), "-cp", classPath, LocalRun.class.getName(),
                "start", "--home", home.toString(), "--port-base", Integer.toString(portBase),
                "--project", LocalStackHarness.projectDir().toString())
                .redirectErrorStream(true).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.start();
        try {
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = lines.poll(LocalStackHarness.READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) != null) {
                seen.append(line).append('\n');
                if (line.startsWith("Ctrl-C")) {
                    break;
                }
            }
            String summary = seen.toString();
            assertTrue(summary.contains("zerogate is running:"), summary);
            for (String name : List.of("identity-svc", "policy-svc", "relay-svc", "connector-svc")) {
                assertTrue(summary.contains(name), summary);
            }
            assertTrue(summary.contains("127.0.0.1:" + (portBase + 1)), summary);
            // The first start made the admin and the demo itself (LocalDemoTest follows the commands).
            assertTrue(summary.contains("Demo: a web page on 127.0.0.1:" + (portBase + 6)), summary);
            assertTrue(summary.contains("quarkus-run.jar login http://127.0.0.1:" + (portBase + 1)), summary);
            assertFalse(summary.contains("/setup?token="), "the setup link was used for the demo's admin:\n" + summary);

            // A second start on the same data directory is refused while the first runs.
            Outcome second = command("start", "--home", home.toString(), "--port-base", Integer.toString(portBase + 10),
                    "--project", LocalStackHarness.projectDir().toString());
            assertEquals(2, second.exit());
            assertTrue(second.err().contains("already running"), second.err());

            Outcome stop = command("stop", "--home", home.toString());
            assertEquals(0, stop.exit(), stop.err());
            assertTrue(run.waitFor(60, TimeUnit.SECONDS), "the run did not end after stop");
            reader.join(5_000);
            List<String> rest = new ArrayList<>();
            lines.drainTo(rest);
            assertTrue(String.join("\n", rest).contains("stopped; data kept in " + home), rest.toString());
            assertFalse(Files.exists(home.resolve("zerogate-local.pid")), "pid file left behind");
            for (int port = portBase; port <= portBase + LocalOptions.PORT_SPAN; port++) {
                assertPortFree(port);
            }
        } finally {
            if (run.isAlive()) {
                run.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void aTakenPortIsNamedAndNothingStarts() throws Exception {
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), portBase + 2));
            Outcome outcome = command("start", "--home", home.toString(), "--port-base", Integer.toString(portBase),
                    "--project", LocalStackHarness.projectDir().toString());
            assertEquals(2, outcome.exit());
            String message = outcome.err();
            assertTrue(message.contains("port " + (portBase + 2) + " (policy-svc) is already in use"), message);
        }
        assertFalse(Files.exists(home.resolve("pgdata")), "PostgreSQL was started although a port was taken");
    }

    @Test
    void aServiceThatCannotStartIsNamedAndEverythingElseIsStopped() throws Exception {
        // A heap too small for any JVM: every service process exits at once.
        LocalStack stack = LocalStack.of(LocalStackHarness.options(home, portBase, List.of("-Xmx1m")), System.out);
        LocalStack.StartFailure failure = assertThrows(LocalStack.StartFailure.class, stack::start);
        assertEquals(1, failure.exitCode());
        assertTrue(failure.getMessage().startsWith("identity-svc exited with code"), failure.getMessage());
        assertTrue(failure.getMessage().contains("heap"), failure.getMessage());
        for (int port = portBase; port <= portBase + LocalOptions.PORT_SPAN; port++) {
            assertPortFree(port);
        }
    }

    private record Outcome(int exit, String out, String err) {
    }

    /** Runs a zerogate-local command in this JVM (it returns its exit code instead of exiting). */
    private static Outcome command(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = LocalRun.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertPortFree(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new AssertionError("port " + port + " is still taken after stop", e);
        }
    }
}
