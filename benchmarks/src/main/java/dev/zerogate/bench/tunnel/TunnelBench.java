package dev.zerogate.bench.tunnel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code ./bench tunnel [--quick] [--mib N] [--warm-up-mib N] [--connections N] [--paths raw,haproxy,stunnel,zerogate]}:
 * TCP flows through each {@link TunnelPath} to a far end on loopback (a sink and an echo in a
 * JVM of their own, see {@link FarEnd}), all measured in this one invocation:
 * <ul>
 *   <li>1 flow: one connection sending N MiB (default 1,024) to the sink; the median of three;</li>
 *   <li>8 flows: eight concurrent connections sending N/8 MiB each, aggregate; the median of three;</li>
 *   <li>new flow: p50/p99 over 2,000 sequential new connections, each connect + 1 byte echoed.</li>
 * </ul>
 * Each path gets the same warm-up before it is measured: one flow and eight flows of N MiB but
 * at least 6 GiB, and as many new flows as are measured but at least 8,000 ({@code --quick}: N MiB
 * and as many new flows as are measured). Throughput is
 * wall time from the first byte sent to the far end's acknowledgement of the last (see {@link Load}). Figures are ratios to the {@link StunnelHaproxyStunnelPath}
 * row, the off-the-shelf equivalent of zerogate's data plane.
 */
public final class TunnelBench {

    private static final long MIB = 1024 * 1024;
    /**
     * The least a path is warmed with (but for a --quick smoke run; --warm-up-mib sets it): a path
     * of JVMs (zerogate's) reaches its compiled steady state only after several GiB (its JITs still
     * compiled 50–200 methods a second through the first 2 GiB), and a long-running relay or
     * connector lives there. One flow through zerogate after 2 GiB: 678–717 MB/s; after 4 GiB:
     * 739; after 6 GiB: 782–785 (ADR 0011).
     */
    private static final long WARM_UP_MIB = 6144;
    /**
     * The fewest new flows a path is warmed with (but for a --quick run). After 2,000 the JIT of
     * zerogate's client and connector was still compiling the new-flow path: 108–177 compilations
     * fell inside the measured 2,000 flows, and p50/p99 were 0.73–0.79 / 4.9–6.4 ms; after 8,000,
     * 0.38 / 3.8–3.9 ms in the default runs at 124c582 (ADR 0011).
     */
    private static final int WARM_UP_NEW_FLOWS = 8_000;
    /**
     * Each throughput figure is the median of this many transfers in a row (but for a --quick
     * run): one transfer of 1 GiB lasts under two seconds, and on this shared 2-core machine the
     * same path gave 639 MB/s in the measured transfer and 753 in the CPU-per-GB transfer right
     * after it.
     */
    private static final int THROUGHPUT_RUNS = 3;

    private TunnelBench() {
    }

    /** The rows, in order, by the names {@code --paths} takes. A zerogate path is added here. */
    static Map<String, Supplier<TunnelPath>> paths() {
        Map<String, Supplier<TunnelPath>> paths = new LinkedHashMap<>();
        paths.put("raw", RawPath::new);
        paths.put("haproxy", HaproxyPath::new);
        paths.put("stunnel", StunnelHaproxyStunnelPath::new);
        paths.put("zerogate", ZerogatePath::new);
        return paths;
    }

    /** {@code paths}: the keys of {@link #paths()} to run, in the table's order. */
    record Options(long mib, long warmUpMib, int connections, int warmUpConnections, int runs, List<String> paths) {

        static Options parse(List<String> args) {
            long mib = 1024;
            int connections = 2_000;
            List<String> paths = new ArrayList<>(TunnelBench.paths().keySet());
            boolean quick = false;
            Long warmUpMib = null;
            for (int i = 0; i < args.size(); i++) {
                switch (args.get(i)) {
                    case "--quick" -> {
                        quick = true;
                        mib = 64;
                        connections = 200;
                    }
                    case "--mib" -> mib = Long.parseLong(value(args, ++i));
                    case "--warm-up-mib" -> warmUpMib = Long.parseLong(value(args, ++i));
                    case "--connections" -> connections = Integer.parseInt(value(args, ++i));
                    case "--paths" -> paths = pathKeys(value(args, ++i));
                    default -> throw new IllegalArgumentException("unknown option " + args.get(i)
                            + " (./bench tunnel [--quick] [--mib N] [--warm-up-mib N] [--connections N] [--paths "
                            + String.join(",", TunnelBench.paths().keySet()) + "])");
                }
            }
            if (mib < 8 || connections < 10) {
                throw new IllegalArgumentException("--mib must be at least 8 and --connections at least 10");
            }
            if (warmUpMib == null) {
                warmUpMib = quick ? mib : Math.max(mib, WARM_UP_MIB);
            } else if (warmUpMib < 8) {
                throw new IllegalArgumentException("--warm-up-mib must be at least 8");
            }
            return new Options(mib, warmUpMib, connections,
                    quick ? connections : Math.max(connections, WARM_UP_NEW_FLOWS), quick ? 1 : THROUGHPUT_RUNS, paths);
        }

        /** A comma-separated subset of the path keys, kept in the table's order (a run without the stunnel row prints no ratios). */
        private static List<String> pathKeys(String list) {
            Set<String> asked = new HashSet<>(Arrays.asList(list.split(",")));
            for (String key : asked) {
                if (!TunnelBench.paths().containsKey(key)) {
                    throw new IllegalArgumentException("unknown path " + key + " (paths: " + String.join(",", TunnelBench.paths().keySet()) + ")");
                }
            }
            return TunnelBench.paths().keySet().stream().filter(asked::contains).toList();
        }

        private static String value(List<String> args, int i) {
            if (i >= args.size()) {
                throw new IllegalArgumentException(args.get(i - 1) + " needs a value");
            }
            return args.get(i);
        }
    }

    public static void run(List<String> args) throws Exception {
        Options options = Options.parse(args);
        System.out.println();
        System.out.printf("TCP flows through each path to a sink/echo in another JVM on 127.0.0.1: 1 flow of %,d MiB, "
                + "8 flows of %,d MiB each, %,d new flows; load generator, paths and far end share the %d cores%n",
                options.mib(), options.mib() / 8, options.connections(), Runtime.getRuntime().availableProcessors());
        System.out.println("  load average before: " + loadAverage() + " (other work on this machine skews every row)");
        List<ResultTable.Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try (FarEnd farEnd = FarEnd.start()) {
            for (String key : options.paths()) {
                TunnelPath path = paths().get(key).get();
                Optional<String> unavailable = path.unavailable();
                if (unavailable.isPresent()) {
                    ResultTable.Row skipped = ResultTable.Row.skipped(path, "skipped: " + unavailable.get());
                    System.out.println("  " + skipped.summary());
                    rows.add(skipped);
                    continue;
                }
                ResultTable.Row row;
                try (path) {
                    InetSocketAddress entry = path.start(farEnd.address());
                    row = measure(path, entry, options);
                    notes.addAll(path.notes());
                    System.out.println("  " + row.summary());
                    notes.addAll(cpuPerGigabyte(path, entry));
                    notes.addAll(extraFigures(path));
                } catch (Exception e) {
                    row = ResultTable.Row.skipped(path, "failed: " + e);
                    System.out.println("  " + row.summary());
                }
                rows.add(row);
            }
        }
        ResultTable.print(System.out, rows, StunnelHaproxyStunnelPath.NAME);
        notes.forEach(note -> System.out.println("  " + note));
        System.out.println("  load average after: " + loadAverage());
    }

    /** The CPU the path's processes spend per GB, printed as it comes; none for a path without processes. */
    private static List<String> cpuPerGigabyte(TunnelPath path, InetSocketAddress entry) {
        String line;
        try {
            Map<String, Long> processes = path.processes();
            if (processes.isEmpty()) {
                return List.of();
            }
            line = CpuPerGigabyte.measure(path.name(), entry, processes);
        } catch (Exception e) {
            line = path.name() + ": CPU per GB failed: " + e;
        }
        System.out.println("  " + line);
        return List.of(line);
    }

    /** The path's own further figures, printed as they come; a failure is one line, not a lost row. */
    private static List<String> extraFigures(TunnelPath path) {
        List<String> lines;
        try {
            lines = path.extraFigures();
        } catch (Exception e) {
            lines = List.of(path.name() + ": further figures failed: " + e);
        }
        lines.forEach(line -> System.out.println("  " + line));
        return lines;
    }

    /** The 1, 5 and 15 minute load averages, or "unknown" off Linux. */
    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static ResultTable.Row measure(TunnelPath path, InetSocketAddress entry, Options options) throws Exception {
        long bytes = options.mib() * MIB;
        long warmUpBytes = options.warmUpMib() * MIB;
        // The same for every path (see WARM_UP_MIB and WARM_UP_NEW_FLOWS), each kind of load right
        // before it is measured: a JVM path re-tunes to whatever it did last (the first bulk
        // transfer after thousands of new flows ran slower, and new flows after bulk had a
        // longer tail).
        Load.newFlows(entry, options.warmUpConnections(), newFlowsLimit(options.warmUpConnections()));
        Load.NewFlows newFlows = Load.newFlows(entry, options.connections(), newFlowsLimit(options.connections()));

        Load.throughput(entry, 1, warmUpBytes, transferLimit(warmUpBytes));
        Load.throughput(entry, 8, warmUpBytes / 8, transferLimit(warmUpBytes));
        Load.Throughputs one = Load.throughputs(entry, 1, bytes, transferLimit(bytes), options.runs());
        Load.Throughputs eight = Load.throughputs(entry, 8, bytes / 8, transferLimit(bytes), options.runs());
        return new ResultTable.Row(path.name(), path.baseline(), one, eight, newFlows, null);
    }

    /** More than 25 ms per new flow is a broken path, not a figure. */
    private static Duration newFlowsLimit(int flows) {
        return Duration.ofSeconds(60 + flows / 40);
    }

    /** Slower than 5 MB/s is a broken path, not a figure. */
    private static Duration transferLimit(long bytes) {
        return Duration.ofSeconds(60 + bytes / 5_000_000);
    }
}
