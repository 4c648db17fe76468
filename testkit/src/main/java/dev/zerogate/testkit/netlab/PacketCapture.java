package dev.zerogate.testkit.netlab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * tcpdump on one interface of a lab's namespace, writing every packet whole to a file, for a
 * test that asserts what did and did not cross the wire in clear. {@link #stop()} ends the
 * capture (SIGTERM, so tcpdump flushes) and returns the file's bytes.
 */
public final class PacketCapture {

    private final Process process;
    private final Path file;
    private final Path log;

    private PacketCapture(Process process, Path file, Path log) {
        this.process = process;
        this.file = file;
        this.log = log;
    }

    /** Starts capturing on {@code device} in {@code place}; returns once tcpdump listens. */
    public static PacketCapture start(NetLab lab, NetLab.Place place, String device, Path file) throws IOException, InterruptedException {
        Path log = file.resolveSibling(file.getFileName() + ".log");
        // -U: write each packet at once; -s 0: whole packets; -n: no name lookups.
        Process process = lab.start(place, List.of("tcpdump", "-i", device, "-U", "-n", "-s", "0", "-w", file.toString()), Map.of(), log);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains("listening on")) {
                return new PacketCapture(process, file, log);
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        process.destroy();
        throw new IOException("tcpdump did not start on " + device + " in " + place + ": " + (Files.exists(log) ? Files.readString(log) : ""));
    }

    /** Stops the capture and returns everything it wrote. */
    public byte[] stop() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        return Files.readAllBytes(file);
    }

    /** Whether {@code needle} (UTF-8) occurs anywhere in {@code capture}. */
    public static boolean contains(byte[] capture, String needle) {
        byte[] bytes = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + bytes.length <= capture.length; i++) {
            for (int j = 0; j < bytes.length; j++) {
                if (capture[i + j] != bytes[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** The needles found in {@code capture}, for a failure message that names what leaked. */
    public static List<String> found(byte[] capture, Map<String, String> needlesByName) {
        List<String> leaked = new ArrayList<>();
        needlesByName.forEach((name, needle) -> {
            if (needle != null && !needle.isEmpty() && contains(capture, needle)) {
                leaked.add(name);
            }
        });
        return leaked;
    }

    public Path file() {
        return file;
    }
}
