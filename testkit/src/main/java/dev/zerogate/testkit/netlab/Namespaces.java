package dev.zerogate.testkit.netlab;

import dev.zerogate.testkit.netlab.HostCommands.Tools;
import dev.zerogate.testkit.netlab.NetLab.Result;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.zerogate.testkit.netlab.HostCommands.COMMAND_TIMEOUT;
import static dev.zerogate.testkit.netlab.HostCommands.awaitExit;
import static dev.zerogate.testkit.netlab.HostCommands.exec;

/**
 * The lab's network namespaces on this host: their names ({@code zglab-<run id>-<place>}), the
 * run ids reserved by live JVMs ({@code /run/zerogate-netlab/<id>} holds the owner's pid and
 * start time), commands run inside one, a namespace's removal with every process in it, and the
 * leftovers of runs whose JVM died before it could clean up.
 */
final class Namespaces {

    static final String PREFIX = "zglab-";
    /** A lab namespace: prefix, run id, place (or the probe of {@link NetLab#availability()}). */
    private static final Pattern NAMESPACE =
            Pattern.compile("zglab-([0-9a-f]{4})-(internet|home-router|home|cafe-router|cafe|probe)");
    /** One file per live run, named by its id, holding the owning JVM's pid and start time. */
    static final Path OWNERS = Path.of("/run/zerogate-netlab");
    private static final Path RUN_NETNS = Path.of("/run/netns");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Namespaces() {
    }

    /** The namespace of {@code place} in run {@code runId}. */
    static String name(String runId, NetLab.Place place) {
        return PREFIX + runId + "-" + place.suffix;
    }

    /** Creates the namespace and its {@code /etc/netns} files (see {@link Hosts}). */
    static void add(String namespace) {
        HostCommands.check(List.of(Tools.require("ip"), "netns", "add", namespace));
        Hosts.create(namespace);
    }

    /** {@code command} as run inside {@code namespace} by {@code ip netns exec}. */
    static List<String> inNamespace(String namespace, List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        List<String> full = new ArrayList<>(List.of(Tools.require("ip"), "netns", "exec", namespace));
        full.addAll(command);
        return full;
    }

    /**
     * Deletes the namespaces (and their processes and {@code /etc/netns} files) of lab runs whose
     * JVM is gone: killed before close() and before its shutdown hook ran. Labs of live JVMs,
     * this one's included, are left alone. Returns the namespaces deleted.
     */
    static List<String> removeLeftovers() {
        List<String> removed = new ArrayList<>();
        for (String namespace : labNamespaces()) {
            Matcher matcher = NAMESPACE.matcher(namespace);
            matcher.matches();
            String runId = matcher.group(1);
            if (ownerAlive(runId) || (matcher.group(2).equals("probe") && youngerThan(namespace, Duration.ofMinutes(1)))) {
                // A live run, or another JVM's availability() probe in progress.
                continue;
            }
            if (remove(namespace) == null) {
                removed.add(namespace);
            }
        }
        try (Stream<Path> owners = Files.isDirectory(OWNERS) ? Files.list(OWNERS) : Stream.empty()) {
            for (Path owner : owners.toList()) {
                String runId = owner.getFileName().toString();
                if (runId.matches("[0-9a-f]{4}") && !ownerAlive(runId) && namespacesOf(runId).isEmpty()) {
                    Files.deleteIfExists(owner);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return removed;
    }

    static String reserveId() {
        try {
            Files.createDirectories(OWNERS);
            for (int attempt = 0; attempt < 50; attempt++) {
                String id = HexFormat.of().toHexDigits((short) RANDOM.nextInt(1 << 16));
                if (!namespacesOf(id).isEmpty()) {
                    continue;
                }
                try {
                    Files.writeString(OWNERS.resolve(id), ownerLine(ProcessHandle.current()), StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE);
                    return id;
                } catch (FileAlreadyExistsException taken) {
                    // another live run has it
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no free lab id in " + OWNERS);
    }

    private static String ownerLine(ProcessHandle process) {
        return process.pid() + " " + process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    /** Whether the JVM that reserved {@code runId} is still running (same pid and start time). */
    private static boolean ownerAlive(String runId) {
        Path owner = OWNERS.resolve(runId);
        try {
            if (!Files.isRegularFile(owner)) {
                return false;
            }
            String[] recorded = Files.readString(owner).trim().split(" ");
            if (recorded.length != 2) {
                return false;
            }
            return ProcessHandle.of(Long.parseLong(recorded[0]))
                    .filter(ProcessHandle::isAlive)
                    .map(process -> ownerLine(process).equals(recorded[0] + " " + recorded[1]))
                    .orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** Lab namespaces on this host, from {@code /run/netns} and leftover {@code /etc/netns} entries. */
    private static List<String> labNamespaces() {
        List<String> names = new ArrayList<>();
        for (Path dir : List.of(RUN_NETNS, Hosts.ETC_NETNS)) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> entries = Files.list(dir)) {
                entries.map(p -> p.getFileName().toString())
                        .filter(name -> NAMESPACE.matcher(name).matches())
                        .filter(name -> !names.contains(name))
                        .forEach(names::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return names;
    }

    private static boolean youngerThan(String namespace, Duration age) {
        try {
            Path file = RUN_NETNS.resolve(namespace);
            return Files.exists(file) && Files.getLastModifiedTime(file).toInstant().isAfter(Instant.now().minus(age));
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> namespacesOf(String runId) {
        return labNamespaces().stream().filter(name -> name.startsWith(PREFIX + runId + "-")).toList();
    }

    /**
     * Kills every process in the namespace, deletes it and its {@code /etc/netns} directory.
     * Returns null, or what failed.
     */
    static String remove(String namespace) {
        String ip = Tools.find("ip").orElse("ip");
        List<String> failures = new ArrayList<>();
        if (Files.exists(RUN_NETNS.resolve(namespace))) {
            for (int round = 0; round < 3; round++) {
                Result pids = exec(List.of(ip, "netns", "pids", namespace), COMMAND_TIMEOUT);
                List<ProcessHandle> inside = pids.stdout().lines()
                        .map(String::trim)
                        .filter(line -> line.matches("\\d+"))
                        .map(Long::parseLong)
                        .flatMap(pid -> ProcessHandle.of(pid).stream())
                        .filter(process -> process.pid() != ProcessHandle.current().pid())
                        .toList();
                if (inside.isEmpty()) {
                    break;
                }
                inside.forEach(ProcessHandle::destroyForcibly);
                awaitExit(inside, Duration.ofSeconds(2));
            }
            Result deleted = exec(List.of(ip, "netns", "del", namespace), COMMAND_TIMEOUT);
            if (!deleted.succeeded() && Files.exists(RUN_NETNS.resolve(namespace))) {
                failures.add(namespace + ": " + deleted.stderr().trim());
            }
        }
        try {
            Path dir = Hosts.directory(namespace);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path file : files.toList()) {
                        Files.deleteIfExists(file);
                    }
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            failures.add(Hosts.directory(namespace) + ": " + e);
        }
        return failures.isEmpty() ? null : String.join("; ", failures);
    }

    /** Why this host cannot make namespaces, or empty: adds, enters and deletes one. */
    static Optional<String> probe() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return Optional.of("not Linux");
        }
        Optional<String> ip = Tools.find("ip");
        if (ip.isEmpty()) {
            return Optional.of("no `ip` binary (iproute2) on PATH or in /sbin, /usr/sbin");
        }
        if (Tools.find("nft").isEmpty() && Tools.find("iptables").isEmpty()) {
            return Optional.of("neither `nft` nor `iptables` installed");
        }
        String namespace = PREFIX + HexFormat.of().toHexDigits((short) RANDOM.nextInt(1 << 16)) + "-probe";
        Result added = exec(List.of(ip.get(), "netns", "add", namespace), COMMAND_TIMEOUT);
        if (!added.succeeded()) {
            return Optional.of("`ip netns add` failed (root or CAP_SYS_ADMIN needed): " + added.stderr().trim());
        }
        try {
            Result entered = exec(List.of(ip.get(), "netns", "exec", namespace, ip.get(), "link", "set", "lo", "up"),
                    COMMAND_TIMEOUT);
            if (!entered.succeeded()) {
                return Optional.of("`ip netns exec` failed: " + entered.stderr().trim());
            }
            return Optional.empty();
        } finally {
            exec(List.of(ip.get(), "netns", "del", namespace), COMMAND_TIMEOUT);
        }
    }
}
