package dev.zerogate.testkit.netlab;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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

        private final String suffix;
        private final String address;

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

    private static final String PREFIX = "zglab-";
    /** Starts the message of a ruleset that did not load, for create()'s fallback to iptables. */
    private static final String NFT_FAILURE = "nftables ruleset not loaded: ";
    /** A lab namespace: prefix, run id, place (or the probe of {@link #availability()}). */
    private static final Pattern NAMESPACE =
            Pattern.compile("zglab-([0-9a-f]{4})-(internet|home-router|home|cafe-router|cafe|probe)");
    /** One file per live run, named by its id, holding the owning JVM's pid and start time. */
    private static final Path OWNERS = Path.of("/run/zerogate-netlab");
    private static final Path ETC_NETNS = Path.of("/etc/netns");
    private static final Path RUN_NETNS = Path.of("/run/netns");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private static final String INTERNET_GATEWAY = "203.0.113.1";
    private static final String HOME_LAN_GATEWAY = "192.168.77.1";
    private static final String HOME_SECOND_ADDRESS = "192.168.77.20";
    private static final String CAFE_LAN_GATEWAY = "10.77.0.1";

    private static final SecureRandom RANDOM = new SecureRandom();
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
            known = probe();
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
            if (Tools.find("iptables").isEmpty() || !nftFailed.getMessage().contains(NFT_FAILURE)) {
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
        removeLeftovers();
        NetLab lab = new NetLab(reserveId(), firewall);
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
        return PREFIX + id + "-" + place.suffix;
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
        check(List.of(Tools.require("ip"), "addr", "add", HOST_ADDRESS + "/24", "dev", outside));
        check(List.of(Tools.require("ip"), "link", "set", outside, "up"));
        return HOST_ADDRESS;
    }

    /**
     * Makes {@code name} resolve to {@code address} for processes in {@code place}, including the
     * ones already running (the file is appended to, so its bind mount sees the line).
     */
    public synchronized void addHost(Place place, String name, String address) {
        ensureOpen();
        if (!name.matches("[A-Za-z0-9.-]+") || !address.matches("[0-9a-fA-F.:]+")) {
            throw new IllegalArgumentException("not a host name and address: " + name + " " + address);
        }
        try {
            Files.writeString(hostsFile(place), address + " " + name + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The hosts file that processes in {@code place} see as {@code /etc/hosts}. */
    public Path hostsFile(Place place) {
        return ETC_NETNS.resolve(namespace(place)).resolve("hosts");
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
     * Runs {@code command} in {@code place} to completion. At the time limit it is stopped with
     * its descendants and the result says {@code timedOut}. Processes it leaves running on
     * purpose (a daemon) are killed on {@link #close()}.
     */
    public Result run(Place place, Duration timeout, String... command) {
        return run(place, timeout, List.of(command));
    }

    public Result run(Place place, Duration timeout, List<String> command) {
        ensureOpen();
        return exec(inNamespace(place, command), timeout);
    }

    /**
     * Waits until something in {@code place} listens on TCP {@code port} (any address), polling
     * {@code ss}; throws {@link IllegalStateException} after {@code timeout}.
     */
    public void awaitTcpListening(Place place, int port, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Result result = run(place, COMMAND_TIMEOUT, "ss", "-Hltn", "sport", "=", ":" + port);
            if (result.succeeded() && !result.stdout().isBlank()) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("nothing listens on TCP " + port + " in " + place
                        + " after " + timeout + ": " + result);
            }
            sleep(Duration.ofMillis(50));
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
            stopAll(started.stream().map(Process::toHandle).toList());
            started.clear();
        }
        for (Map.Entry<Place, String> entry : namespaces.entrySet()) {
            String failure = removeNamespace(entry.getValue());
            if (failure != null) {
                failures.add(failure);
            }
        }
        if (failures.isEmpty()) {
            try {
                Files.deleteIfExists(OWNERS.resolve(id));
            } catch (IOException e) {
                failures.add("owner file " + OWNERS.resolve(id) + ": " + e);
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
        List<String> removed = new ArrayList<>();
        for (String namespace : labNamespaces()) {
            Matcher matcher = NAMESPACE.matcher(namespace);
            matcher.matches();
            String runId = matcher.group(1);
            if (ownerAlive(runId) || (matcher.group(2).equals("probe") && youngerThan(namespace, Duration.ofMinutes(1)))) {
                // A live run, or another JVM's availability() probe in progress.
                continue;
            }
            if (removeNamespace(namespace) == null) {
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
        switch (firewall) {
            case NFTABLES -> nftables(router);
            case IPTABLES -> iptables(router);
        }
    }

    private void nftables(Place router) {
        String ruleset = """
                table ip zglab {
                    chain forward {
                        type filter hook forward priority 0; policy drop;
                        iifname "lan" oifname "wan" accept
                        iifname "wan" oifname "lan" ct state established,related accept
                    }
                    chain input {
                        type filter hook input priority 0; policy accept;
                        iifname "wan" ct state established,related accept
                        iifname "wan" drop
                    }
                    chain postrouting {
                        type nat hook postrouting priority 100; policy accept;
                        oifname "wan" masquerade
                    }
                }
                """;
        Path file = null;
        try {
            file = Files.createTempFile("zglab-" + id, ".nft");
            Files.writeString(file, ruleset);
            check(inNamespace(router, List.of(Tools.require("nft"), "-f", file.toString())));
        } catch (IllegalStateException e) {
            throw new IllegalStateException(NFT_FAILURE + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(file);
        }
    }

    private void iptables(Place router) {
        String iptables = Tools.require("iptables") + " -w ";
        String rules = String.join(" && ",
                iptables + "-t nat -A POSTROUTING -o wan -j MASQUERADE",
                iptables + "-P FORWARD DROP",
                iptables + "-A FORWARD -i lan -o wan -j ACCEPT",
                iptables + "-A FORWARD -i wan -o lan -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
                iptables + "-A INPUT -i wan -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
                iptables + "-A INPUT -i wan -j DROP");
        check(inNamespace(router, List.of("/bin/sh", "-c", rules)));
    }

    private void addNamespace(Place place) {
        String namespace = namespace(place);
        check(List.of(Tools.require("ip"), "netns", "add", namespace));
        synchronized (this) {
            created.put(place, namespace);
        }
        try {
            Path dir = Files.createDirectories(ETC_NETNS.resolve(namespace));
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

    private void ip(Place place, String... args) {
        List<String> command = new ArrayList<>(List.of(Tools.require("ip"), "-n", namespace(place)));
        command.addAll(Arrays.asList(args));
        check(command);
    }

    /** Runs {@code ip} commands (without the leading "ip") in {@code place}; stops at the first failure. */
    private void ipBatch(Place place, String... lines) {
        Path file = null;
        try {
            file = Files.createTempFile("zglab-" + id, ".ip");
            Files.write(file, List.of(lines));
            check(List.of(Tools.require("ip"), "-n", namespace(place), "-batch", file.toString()),
                    "\n  " + String.join("\n  ", lines));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(file);
        }
    }

    /** Sets {@code key=value} pairs (keys as paths under /proc/sys) in one process. */
    private void sysctls(Place place, String... settings) {
        // Through sh rather than sysctl(8): procps may be missing, sh is not.
        String script = Arrays.stream(settings)
                .map(setting -> setting.split("=", 2))
                .map(kv -> "echo " + kv[1] + " > /proc/sys/" + kv[0])
                .collect(Collectors.joining(" && "));
        check(inNamespace(place, List.of("/bin/sh", "-c", script)));
    }

    private List<String> inNamespace(Place place, List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        List<String> full = new ArrayList<>(List.of(Tools.require("ip"), "netns", "exec", namespace(place)));
        full.addAll(command);
        return full;
    }

    private synchronized void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("lab " + id + " is closed");
        }
    }

    // ---- ids and leftovers

    private static String reserveId() {
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
        for (Path dir : List.of(RUN_NETNS, ETC_NETNS)) {
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
    private static String removeNamespace(String namespace) {
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
            Path dir = ETC_NETNS.resolve(namespace);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path file : files.toList()) {
                        Files.deleteIfExists(file);
                    }
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            failures.add(ETC_NETNS.resolve(namespace) + ": " + e);
        }
        return failures.isEmpty() ? null : String.join("; ", failures);
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

    private static Optional<String> probe() {
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

    // ---- processes

    /** Runs a host command; throws with its stderr unless it exits 0. */
    private static void check(List<String> command) {
        check(command, "");
    }

    /** {@code input} is shown after the command in the failure message (a batch file's lines). */
    private static void check(List<String> command, String input) {
        Result result = exec(command, COMMAND_TIMEOUT);
        if (!result.succeeded()) {
            throw new IllegalStateException(String.join(" ", command) + input + "\nfailed"
                    + (result.timedOut() ? " (timed out)" : " (exit " + result.exitCode() + ")")
                    + ": " + result.stderr().trim());
        }
    }

    /** Output goes through files, so a chatty command or a grandchild holding a pipe cannot block us. */
    private static Result exec(List<String> command, Duration timeout) {
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
    private static void stopAll(List<ProcessHandle> roots) {
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

    private static void awaitExit(List<ProcessHandle> processes, Duration limit) {
        Instant deadline = Instant.now().plus(limit);
        while (processes.stream().anyMatch(ProcessHandle::isAlive) && Instant.now().isBefore(deadline)) {
            sleep(Duration.ofMillis(20));
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void deleteQuietly(Path file) {
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
    private static final class Tools {

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
