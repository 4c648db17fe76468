package dev.zerogate.client.tunnel;

import dev.zerogate.client.login.ConfigDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How `zerogate status` learns what a running tunnel holds. */
class TunnelStatusFileTest {

    @TempDir
    Path dir;

    private static TunnelStatusFile.Entry entry(long pid, long updatedAt, int openFlows, String ended) {
        return new TunnelStatusFile.Entry(pid, "up 127.0.0.1:1080", 1_000, updatedAt, "http://127.0.0.1:7405", 1, openFlows, 42, 1,
                2_000, 1_500, 90_000, 60_000, ended);
    }

    @Test
    void aRunningTunnelIsListedWhileItRunsAndItsFileIsGoneWhenItStops() throws Exception {
        ConfigDirectory config = ConfigDirectory.at(dir);
        AtomicInteger flows = new AtomicInteger(3);
        long pid = ProcessHandle.current().pid();
        try (TunnelStatusFile file = TunnelStatusFile.start(config,
                () -> entry(pid, Instant.now().getEpochSecond(), flows.get(), null))) {
            List<TunnelStatusFile.Entry> running = TunnelStatusFile.running(config);
            assertEquals(1, running.size());
            assertEquals(3, running.get(0).openFlows());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    dir.resolve(TunnelStatusFile.DIRECTORY).resolve(pid + ".json"))));
        }
        assertTrue(TunnelStatusFile.running(config).isEmpty());
    }

    @Test
    void theFileOfAProcessThatDiedIsIgnoredAndRemoved() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        ConfigDirectory config = ConfigDirectory.at(dir);
        Files.createDirectories(dir.resolve(TunnelStatusFile.DIRECTORY));
        config.writePrivate(TunnelStatusFile.DIRECTORY + "/" + gone.pid() + ".json",
                new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(entry(gone.pid(), 1_000, 0, null)));
        assertTrue(TunnelStatusFile.running(config).isEmpty());
        assertFalse(Files.exists(dir.resolve(TunnelStatusFile.DIRECTORY).resolve(gone.pid() + ".json")));
    }

    @Test
    void statusShowsTheRelayTheLoginTheCertificateAndTheFlows() {
        StringWriter text = new StringWriter();
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_004), ZoneOffset.UTC);
        TunnelStatusFile.printRunning(new PrintWriter(text, true), List.of(entry(77, 1_000, 2, null)), clock);
        String out = text.toString();
        assertTrue(out.contains("zerogate up 127.0.0.1:1080 (pid 77"), out);
        assertTrue(out.contains("valid until " + Instant.ofEpochSecond(2_000)), out);
        assertTrue(out.contains("certificate valid until " + Instant.ofEpochSecond(90_000)), out);
        assertTrue(out.contains("http://127.0.0.1:7405, 1 session connected"), out);
        assertTrue(out.contains("2 open; 42 opened and 1 failed"), out);
        assertFalse(out.contains("NOT RESPONDING"), out);
    }

    @Test
    void statusSaysWhenARunningTunnelsLoginEndedOrItStoppedAnswering() {
        StringWriter text = new StringWriter();
        Clock later = Clock.fixed(Instant.ofEpochSecond(1_000 + 60), ZoneOffset.UTC);
        TunnelStatusFile.printRunning(new PrintWriter(text, true), List.of(entry(77, 1_000, 0, "the session has ended (revoked)")), later);
        String out = text.toString();
        assertTrue(out.contains("ENDED: the session has ended (revoked)"), out);
        assertTrue(out.contains("NOT RESPONDING"), out);
    }
}
