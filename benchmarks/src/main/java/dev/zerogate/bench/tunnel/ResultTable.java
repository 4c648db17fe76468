package dev.zerogate.bench.tunnel;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

/** The figures of every path, printed as one table with ratios to the reference row. */
final class ResultTable {

    static final double NEW_FLOW_P50_TARGET_MILLIS = 1;
    static final double NEW_FLOW_P99_TARGET_MILLIS = 5;

    /** One path's figures; the numbers are null when the path was skipped or failed ({@code problem} says why). */
    record Row(String path, boolean baseline, Load.Throughputs oneFlow, Load.Throughputs eightFlows, Load.NewFlows newFlows, String problem) {

        static Row skipped(TunnelPath path, String why) {
            return new Row(path.name(), path.baseline(), null, null, null, why);
        }

        Double oneFlowMBps() {
            return oneFlow == null ? null : oneFlow.median().megabytesPerSecond();
        }

        Double eightFlowsMBps() {
            return eightFlows == null ? null : eightFlows.median().megabytesPerSecond();
        }

        Double p50() {
            return newFlows == null ? null : newFlows.percentileMillis(50);
        }

        Double p99() {
            return newFlows == null ? null : newFlows.percentileMillis(99);
        }

        /** One line for the progress log. */
        String summary() {
            if (problem != null) {
                return path + ": " + problem;
            }
            return String.format("%s: 1 flow %,.0f MB/s (median of %s), 8 flows %,.0f MB/s (median of %s), "
                            + "new flow p50 %.2f ms p99 %.2f ms (%,d flows%s)",
                    path, oneFlowMBps(), oneFlow.each(), eightFlowsMBps(), eightFlows.each(), p50(), p99(), newFlows.micros().length,
                    newFlows.failed() == 0 ? "" : ", " + newFlows.failed() + " failed: " + newFlows.firstFailure());
        }
    }

    private ResultTable() {
    }

    static void print(PrintStream out, List<Row> rows, String reference) {
        Optional<Row> ref = rows.stream().filter(r -> r.path().equals(reference) && r.problem() == null).findFirst();
        int width = Math.max(28, rows.stream().mapToInt(r -> r.path().length()).max().orElse(0)) + 2;
        out.println();
        out.printf("%-" + width + "s%18s%18s%18s%18s%n", "path", "1 flow MB/s", "8 flows MB/s", "new flow p50 ms", "p99 ms");
        for (Row row : rows) {
            if (row.problem() != null) {
                out.printf("%-" + width + "s  %s%n", row.path(), row.problem());
                continue;
            }
            out.printf("%-" + width + "s%18s%18s%18s%18s%n", row.path(),
                    cell("%,.0f", row.oneFlowMBps(), ref.map(Row::oneFlowMBps)),
                    cell("%,.0f", row.eightFlowsMBps(), ref.map(Row::eightFlowsMBps)),
                    cell("%.2f", row.p50(), ref.map(Row::p50)),
                    cell("%.2f", row.p99(), ref.map(Row::p99)));
        }
        out.println(ref.isPresent()
                ? "(×) = this row ÷ the " + reference + " row; MB/s = 10^6 bytes/s"
                : "no " + reference + " row, so no ratios; MB/s = 10^6 bytes/s");
        out.printf("zerogate targets: 1-flow and 8-flow throughput ≥ the %s row; new flow p50 ≤ %.0f ms, p99 ≤ %.0f ms%n",
                reference, NEW_FLOW_P50_TARGET_MILLIS, NEW_FLOW_P99_TARGET_MILLIS);
        for (Row row : rows) {
            if (!row.baseline()) {
                out.println("  " + row.path() + ": " + verdict(row, ref));
            }
        }
    }

    private static String cell(String format, double value, Optional<Double> reference) {
        return String.format(format, value) + reference.map(r -> String.format(" (%.2f×)", value / r)).orElse("");
    }

    private static String verdict(Row row, Optional<Row> ref) {
        if (row.problem() != null) {
            return "no figures";
        }
        if (ref.isEmpty()) {
            return "throughput not compared (no reference row)";
        }
        boolean throughput = row.oneFlowMBps() >= ref.get().oneFlowMBps() && row.eightFlowsMBps() >= ref.get().eightFlowsMBps();
        boolean latency = row.p50() <= NEW_FLOW_P50_TARGET_MILLIS && row.p99() <= NEW_FLOW_P99_TARGET_MILLIS;
        return "throughput target " + (throughput ? "met" : "MISSED") + ", new flow target " + (latency ? "met" : "MISSED");
    }
}
