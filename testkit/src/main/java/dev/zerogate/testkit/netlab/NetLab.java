package dev.zerogate.testkit.netlab;

import dev.zerogate.testkit.netlab.HostCommands.Tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * A NAT lab of Linux network namespaces for end-to-end data-plane tests: servers on a public
 * segment, and two private LANs each behind its own masquerading router that drops every
 * unsolicited inbound packet (no port forwards), as a home and a café network are.
 *
 * <pre>
 *                     INTERNET  bridge br0, 203.0.113.0/24
 *                     .1 gateway, .10 servers (+ .11, .12 ... from addInternetAddress())
 *                 ┌──────────────────┴───────────────────┐
 *   HOME_ROUTER  wan 203.0.113.2                 CAFE_ROUTER  wan 203.0.113.3
 *                lan 192.168.77.1/24                          lan 10.77.0.1/24
 *                masquerade lan→wan; wan→lan and wan→router only established,related
 *                 │                                           │
 *   HOME         eth0 192.168.77.10 (+ .20)      CAFE         eth0 10.77.0.10
 * </pre>
 *
 * Guarantees:
 * <ul>
 *   <li>Every run has its own namespaces {@code zglab-<4 hex>-<place>} ({@link #namespace(Place)});
 *       interfaces are created inside them, so concurrent runs never clash.</li>
 *   <li>The INTERNET namespace routes 192.168.77.0/24 and 10.77.0.0/24 to the routers' WAN
 *       addresses, like a neighbour on the provider's segment: a private address is then
 *       unreachable because the router drops the packet, not because no route exists.
 *       Dropped packets are silent, so a connect from outside times out.</li>
 *   <li>{@link #close()} stops every process started through the lab (and its descendants),
 *       kills whatever else still runs in the lab's namespaces (daemons that detached), and
 *       deletes the namespaces. It runs also when {@link #create()} fails half-way, and from a
 *       JVM shutdown hook for a lab that was never closed. {@link #removeLeftovers()} deletes the
 *       namespaces of runs whose JVM died without either.</li>
 *   <li>Names: {@code /etc/netns/<namespace>/hosts} is bind-mounted over {@code /etc/hosts} for every
 *       process started in that namespace ({@code ip netns exec} does this), so
 *       {@link #addHost(Place, String, String)} gives one place its own names. Its
 *       {@code resolv.conf} names no reachable server: an unknown name fails at once.</li>
 * </ul>
 *
 * Needs root (or CAP_SYS_ADMIN and CAP_NET_ADMIN), {@code ip} from iproute2 and {@code nft} or
 * {@code iptables}; {@link #availability()} says why a host cannot, so a test can skip.
 */
public final class NetLab implements AutoCloseable {

    /** Where a process runs. */
    public enum Place {
        INTERNET("internet", "203.0.113.10"),
        HOME_ROUTER("home-router", "203.0.113.2"),
        HOME("home", "192.168.77.10"),
        CAFE_ROUTER("cafe-router", "203.0.113.3"),
        CAFE("cafe", "10.77.0.10");

        final String suffix;
        final String address;

        Place(String suffix, String address) {
            this.suffix = suffix;
            this.address = address;
        }
    }

    /** The routers' packet filter. */
    public enum Firewall {
        NFTABLES, IPTABLES
    }

    /**
     * A command that ran to completion or was stopped at its time limit.
     *
     * @param exitCode the exit status; -1 when it timed out
     */
    public record Result(int exitCode, String stdout, String stderr, boolean timedOut) {

        public boolean succeeded() {
            return !timedOut && exitCode == 0;
        }
    }


    private static final String INTERNET_GATEWAY = "203.0.113.1";
    private static final String HOME_LAN_GATEWAY = "192.168.77.1";
    private static final String HOME_SECOND_ADDRESS = "192.168.77.20";
    private static final String CAFE_LAN_GATEWAY = "10.77.0.1";

    /** Labs not yet closed; the shutdown hook closes them. */
    private static final Set<NetLab> OPEN = ConcurrentHashMap.newKeySet();
    private static volatile boolean hookInstalled;
    private static volatile Optional<String> availability;

    private final String id;
    private final Firewall firewall;
    /** Namespaces this lab created, in creation order. Guarded by {@code this}. */
    private final Map<Place, String> created = new EnumMap<>(Place.class);
    /** Processes from {@link #start}. Guarded by {@code this}. */
    private final List<Process> started = new ArrayList<>();
    /** Host part of the next {@link #addInternetAddress()}. Guarded by {@code this}. */
    private int nextInternetHost = 11;
    /** Guarded by {@code this}. */
    private boolean closed;

    private NetLab(String id, Firewall firewall) {
        this.id = id;
        this.firewall = firewall;
    }

    /**
     * Why this host cannot make a lab (not root, no {@code ip}, namespaces denied ...), or empty
     * when it can. Tries once per JVM by adding, entering and deleting a namespace.
     */
    public static Optional<String> availability() {
        Optional<String> known = availability;
        if (known == null) {
            known = Namespaces.probe();
            availability = known;
        }
        return known;
    }

    /**
     * Builds the lab with nftables on the routers; with iptables if {@code nft} is not installed
     * or its ruleset does not load (a kernel without nf_tables, where iptables-legacy may work).
     */
    public static NetLab create() {
        if (Tools.find("nft").isEmpty()) {
            return create(Firewall.IPTABLES);
        }
        try {
            return create(Firewall.NFTABLES);
        } catch (IllegalStateException nftFailed) {
            if (Tools.find("iptables").isEmpty() || !nftFailed.getMessage().contains(NatRules.NFT_FAILURE)) {
                throw nftFailed;
            }
            try {
                return create(Firewall.IPTABLES);
            } catch (RuntimeException iptablesFailed) {
                iptablesFailed.addSuppressed(nftFailed);
                throw iptablesFailed;
            }
        }
    }

    /**
     * Builds the lab with the given packet filter on the routers; removes the leftovers of dead
     * runs first. Throws {@link IllegalStateException} with the failing command and its stderr;
     * whatever was built by then is removed.
     */
    public static NetLab create(Firewall firewall) {
        availability().ifPresent(reason -> {
            throw new IllegalStateException("cannot make network namespaces here: " + reason);
        });
        Namespaces.removeLeftovers();
        NetLab lab = new NetLab(Namespaces.reserveId(), firewall);
        installShutdownHook();
        OPEN.add(lab);
        try {
            lab.build();
        } catch (RuntimeException e) {
            try {
                lab.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        return lab;
    }

    /** This run's id: 4 hex digits, part of every namespace name. */
    public String id() {
        return id;
    }

    public Firewall firewall() {
        return firewall;
    }

    /** The network namespace of {@code place}, for {@code ip netns exec} by hand. */
    public String namespace(Place place) {
        return Namespaces.name(id, place);
    }

    /** The first server address on the public segment: 203.0.113.10. */
    public String internetAddress() {
        return Place.INTERNET.address;
    }

    /** The home host's LAN address: 192.168.77.10. */
    public String homeAddress() {
        return Place.HOME.address;
    }

    /** A second LAN address of the home host (same namespace, same interface): 192.168.77.20. */
    public String homeSecondAddress() {
        return HOME_SECOND_ADDRESS;
    }

    /** The café host's LAN address: 10.77.0.10. */
    public String cafeAddress() {
        return Place.CAFE.address;
    }

    /**
     * The main IPv4 address of a place: for INTERNET the server address, for a router its WAN
     * address (what servers see as the peer of a connection from its LAN), else the LAN host's.
     */
    public String address(Place place) {
        return place.address;
    }

    /** Adds one more server address on the public segment (203.0.113.11, .12, ...) and returns it. */
    public synchronized String addInternetAddress() {
        ensureOpen();
        if (nextInternetHost > 250) {
            throw new IllegalStateException("no more internet addresses");
        }
        String address = "203.0.113." + nextInternetHost++;
        ip(Place.INTERNET, "addr", "add", address + "/24", "dev", "br0");
        return address;
    }

    /** This machine's address on the public segment once {@link #attachHost} ran. */
    public static final String HOST_ADDRESS = "203.0.113.100";

    /**
     * Plugs this machine (the root namespace, where the test runs) into the public segment as
     * {@value #HOST_ADDRESS}: one more server on the internet, for a control plane that the test
     * starts and talks to directly. It gets no route to the LANs, which stay behind their NATs.
     * The link goes away with the internet namespace.
     */
    public synchronized String attachHost() {
        ensureOpen();
        String outside = "zg" + id + "h";
        ip(Place.INTERNET, "link", "add", "host", "type", "veth", "peer", "name", outside, "netns", "1");
        ip(Place.INTERNET, "link", "set", "host", "master", "br0", "up");
        HostCommands.check(List.of(Tools.require("ip"), "addr", "add", HOST_ADDRESS + "/24", "dev", outside));
        HostCommands.check(List.of(Tools.require("ip"), "link", "set", outside, "up"));
        return HOST_ADDRESS;
    }

    /**
     * Makes {@code name} resolve to {@code address} for processes in {@code place}, including the
     * ones already running (the file is appended to, so its bind mount sees the line).
     */
    public synchronized void addHost(Place place, String name, String address) {
        ensureOpen();
        Hosts.add(namespace(place), name, address);
    }

    /** The hosts file that processes in {@code place} see as {@code /etc/hosts}. */
    public Path hostsFile(Place place) {
        return Hosts.file(namespace(place));
    }

    /**
     * Starts {@code command} in {@code place} ({@code ip netns exec}, which execs it: the returned
     * process is the command itself). Its environment is this JVM's plus {@code env}; stdout and
     * stderr are appended to {@code log}. The lab stops it and its descendants on {@link #close()}.
     */
    public synchronized Process start(Place place, List<String> command, Map<String, String> env, Path log) {
        ensureOpen();
        ProcessBuilder builder = new ProcessBuilder(inNamespace(place, command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            started.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command + " in " + place, e);
        }
    }

    /**
     * Starts {@code command} in {@code place} as {@link #start} does, but with its stdin and stdout
     * connected to the returned process (to talk through it); stderr is appended to {@code log}.
     */
    public synchronized Process startPiped(Place place, List<String> command, Map<String, String> env, Path log) {
        ensureOpen();
        ProcessBuilder builder = new ProcessBuilder(inNamespace(place, command))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            started.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command + " in " + place, e);
        }
    }

    /**
     * Runs {@code command} in {@code place} to completion. At the time limit it is stopped with
     * its descendants and the result says {@code timedOut}. Processes it leaves running on
     * purpose (a daemon) are killed on {@link #close()}.
     */
    public Result run(Place place, Duration timeout, String... command) {
        return run(place, timeout, List.of(command));
    }

    public Result run(Place place, Duration timeout, List<String> command) {
        ensureOpen();
        return HostCommands.exec(inNamespace(place, command), timeout);
    }

    /**
     * Waits until something in {@code place} listens on TCP {@code port} (any address), polling
     * {@code ss}; throws {@link IllegalStateException} after {@code timeout}.
     */
    public void awaitTcpListening(Place place, int port, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Result result = run(place, HostCommands.COMMAND_TIMEOUT, "ss", "-Hltn", "sport", "=", ":" + port);
            if (result.succeeded() && !result.stdout().isBlank()) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("nothing listens on TCP " + port + " in " + place
                        + " after " + timeout + ": " + result);
            }
            HostCommands.sleep(Duration.ofMillis(50));
        }
    }

    /**
     * Stops every started process and its descendants (destroy, then destroyForcibly after a
     * grace period), kills whatever else runs in the lab's namespaces, deletes the namespaces and
     * their {@code /etc/netns} files. Attempts every step; throws {@link IllegalStateException}
     * naming what could not be removed. A second call does nothing.
     */
    @Override
    public void close() {
        List<String> failures = new ArrayList<>();
        Map<Place, String> namespaces;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            namespaces = new EnumMap<>(created);
            HostCommands.stopAll(started.stream().map(Process::toHandle).toList());
            started.clear();
        }
        for (Map.Entry<Place, String> entry : namespaces.entrySet()) {
            String failure = Namespaces.remove(entry.getValue());
            if (failure != null) {
                failures.add(failure);
            }
        }
        if (failures.isEmpty()) {
            try {
                Files.deleteIfExists(Namespaces.OWNERS.resolve(id));
            } catch (IOException e) {
                failures.add("owner file " + Namespaces.OWNERS.resolve(id) + ": " + e);
            }
        }
        OPEN.remove(this);
        if (!failures.isEmpty()) {
            throw new IllegalStateException("lab " + id + " not fully removed: " + String.join("; ", failures));
        }
    }

    /**
     * Deletes the namespaces (and their processes and {@code /etc/netns} files) of lab runs whose
     * JVM is gone: killed before close() and before its shutdown hook ran. Labs of live JVMs,
     * this one's included, are left alone. Returns the namespaces deleted.
     */
    public static List<String> removeLeftovers() {
        return Namespaces.removeLeftovers();
    }

    // ---- building

    private void build() {
        for (Place place : Place.values()) {
            addNamespace(place);
        }
        // One `ip` batch per namespace: each run of `ip` costs a process and a namespace switch.
        ipBatch(Place.INTERNET,
                "link set lo up",
                "link add br0 type bridge",
                "link set br0 up",
                "addr add " + INTERNET_GATEWAY + "/24 dev br0",
                "addr add " + Place.INTERNET.address + "/24 dev br0",
                "link add home type veth peer name wan netns " + namespace(Place.HOME_ROUTER),
                "link set home master br0 up",
                "link add cafe type veth peer name wan netns " + namespace(Place.CAFE_ROUTER),
                "link set cafe master br0 up",
                // The provider's segment knows the LANs behind the routers (see the class comment).
                "route add 192.168.77.0/24 via " + Place.HOME_ROUTER.address,
                "route add 10.77.0.0/24 via " + Place.CAFE_ROUTER.address);
        // Routers share the segment; the gateway must not teach them shortcuts.
        sysctls(Place.INTERNET, "net/ipv4/ip_forward=1", "net/ipv4/conf/all/send_redirects=0",
                "net/ipv4/conf/br0/send_redirects=0");

        buildSite(Place.HOME_ROUTER, Place.HOME, HOME_LAN_GATEWAY, "addr add " + HOME_SECOND_ADDRESS + "/24 dev eth0");
        buildSite(Place.CAFE_ROUTER, Place.CAFE, CAFE_LAN_GATEWAY);
    }

    /** A router (WAN already on the bridge) with its LAN to one host, forwarding, NAT and filter. */
    private void buildSite(Place router, Place host, String lanGateway, String... hostExtras) {
        ipBatch(router,
                "link set lo up",
                "addr add " + router.address + "/24 dev wan",
                "link set wan up",
                "link add lan type veth peer name eth0 netns " + namespace(host),
                "addr add " + lanGateway + "/24 dev lan",
                "link set lan up",
                "route add default via " + INTERNET_GATEWAY);
        List<String> hostLines = new ArrayList<>(List.of(
                "link set lo up",
                "addr add " + host.address + "/24 dev eth0"));
        hostLines.addAll(List.of(hostExtras));
        hostLines.addAll(List.of(
                "link set eth0 up",
                "route add default via " + lanGateway));
        ipBatch(host, hostLines.toArray(String[]::new));
        sysctls(router, "net/ipv4/ip_forward=1");
        NatRules.apply(firewall, id, namespace(router));
    }

    private void addNamespace(Place place) {
        String namespace = namespace(place);
        synchronized (this) {
            created.put(place, namespace);
        }
        Namespaces.add(namespace);
    }

    private void ip(Place place, String... args) {
        List<String> command = new ArrayList<>(List.of(Tools.require("ip"), "-n", namespace(place)));
        command.addAll(Arrays.asList(args));
        HostCommands.check(command);
    }

    /** Runs {@code ip} commands (without the leading "ip") in {@code place}; stops at the first failure. */
    private void ipBatch(Place place, String... lines) {
        Path file = null;
        try {
            file = Files.createTempFile("zglab-" + id, ".ip");
            Files.write(file, List.of(lines));
            HostCommands.check(List.of(Tools.require("ip"), "-n", namespace(place), "-batch", file.toString()),
                    "\n  " + String.join("\n  ", lines));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            HostCommands.deleteQuietly(file);
        }
    }

    /** Sets {@code key=value} pairs (keys as paths under /proc/sys) in one process. */
    private void sysctls(Place place, String... settings) {
        // Through sh rather than sysctl(8): procps may be missing, sh is not.
        String script = Arrays.stream(settings)
                .map(setting -> setting.split("=", 2))
                .map(kv -> "echo " + kv[1] + " > /proc/sys/" + kv[0])
                .collect(Collectors.joining(" && "));
        HostCommands.check(inNamespace(place, List.of("/bin/sh", "-c", script)));
    }

    private List<String> inNamespace(Place place, List<String> command) {
        return Namespaces.inNamespace(namespace(place), command);
    }

    private synchronized void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("lab " + id + " is closed");
        }
    }

    private static void installShutdownHook() {
        if (hookInstalled) {
            return;
        }
        synchronized (NetLab.class) {
            if (hookInstalled) {
                return;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                for (NetLab lab : List.copyOf(OPEN)) {
                    try {
                        lab.close();
                    } catch (RuntimeException e) {
                        System.err.println("NetLab " + lab.id + ": " + e.getMessage());
                    }
                }
            }, "netlab-cleanup"));
            hookInstalled = true;
        }
    }


}
