package dev.zerogate.testkit.netlab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Names in the lab: each namespace gets {@code /etc/netns/<namespace>/hosts} (a copy of this
 * host's, to which a test adds names) and a {@code resolv.conf} that names no reachable server, so
 * an unknown name fails at once. {@code ip netns exec} bind-mounts both over {@code /etc} for
 * every process it starts there: a name added to one place resolves only there.
 */
final class Hosts {

    static final Path ETC_NETNS = Path.of("/etc/netns");

    private Hosts() {
    }

    static Path directory(String namespace) {
        return ETC_NETNS.resolve(namespace);
    }

    static Path file(String namespace) {
        return directory(namespace).resolve("hosts");
    }

    /** The namespace's hosts file (this host's names) and resolv.conf (no DNS server). */
    static void create(String namespace) {
        try {
            Path dir = Files.createDirectories(directory(namespace));
            Path globalHosts = Path.of("/etc/hosts");
            String hosts = Files.isReadable(globalHosts) ? Files.readString(globalHosts) : "127.0.0.1 localhost\n";
            Files.writeString(dir.resolve("hosts"), hosts.endsWith("\n") || hosts.isEmpty() ? hosts : hosts + "\n");
            Files.writeString(dir.resolve("resolv.conf"),
                    "# zerogate NetLab: no DNS server in the lab; names come from /etc/hosts\n"
                            + "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Makes {@code name} resolve to {@code address} in {@code namespace}, including for processes
     * already running there (the file is appended to, so its bind mount sees the line).
     */
    static void add(String namespace, String name, String address) {
        if (!name.matches("[A-Za-z0-9.-]+") || !address.matches("[0-9a-fA-F.:]+")) {
            throw new IllegalArgumentException("not a host name and address: " + name + " " + address);
        }
        try {
            Files.writeString(file(namespace), address + " " + name + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
