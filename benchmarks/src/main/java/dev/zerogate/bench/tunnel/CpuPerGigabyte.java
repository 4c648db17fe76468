package dev.zerogate.bench.tunnel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where a path's CPU goes: one flow of 1 GiB through it, and the CPU time (user + system, from
 * /proc) each of the path's own processes ({@link TunnelPath#processes()}) spent meanwhile, per
 * GB moved. The same measurement for zerogate and the baselines, so that the rows' throughput
 * can be read against what each byte costs.
 */
final class CpuPerGigabyte {

    private static final long BYTES = 1L << 30;

    private CpuPerGigabyte() {
    }

    /** The printable line; {@code processes} by role, in the order they are to be printed. */
    static String measure(String pathName, InetSocketAddress entry, Map<String, Long> processes) throws Exception {
        List<String> roles = new ArrayList<>(processes.keySet());
        List<long[]> before = new ArrayList<>();
        for (String role : roles) {
            before.add(cpuMillis(processes.get(role)));
        }
        Load.Throughput flow = Load.throughput(entry, 1, BYTES, Duration.ofSeconds(300));
        StringBuilder line = new StringBuilder(String.format("%s: CPU seconds per GB moved, user + system (one flow of 1 GiB at %,.0f MB/s):",
                pathName, flow.megabytesPerSecond()));
        double total = 0;
        for (int i = 0; i < roles.size(); i++) {
            long[] after = cpuMillis(processes.get(roles.get(i)));
            double user = (after[0] - before.get(i)[0]) / 1e3 / (BYTES / 1e9);
            double system = (after[1] - before.get(i)[1]) / 1e3 / (BYTES / 1e9);
            total += user + system;
            line.append(String.format(" %s %.2f + %.2f,", roles.get(i), user, system));
        }
        return line.append(String.format(" total %.2f", total)).toString();
    }

    /** User and system CPU time of a process in milliseconds (fields 14 and 15 of /proc/PID/stat, clock ticks of 10 ms). */
    private static long[] cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // After "pid (comm) ", field 3 (state) is index 0: utime (14) is index 11, stime (15) index 12.
        return new long[]{Long.parseLong(fields[11]) * 10, Long.parseLong(fields[12]) * 10};
    }
}
