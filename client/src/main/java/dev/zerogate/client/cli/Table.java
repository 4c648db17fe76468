package dev.zerogate.client.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Aligned columns with a header line, like {@code kubectl get}: each column as wide as its
 * widest cell, three spaces between columns, no trailing spaces, nothing truncated (ids are
 * shown in full so they can be copied). An empty cell shows as "-"; control characters
 * (a newline in a name) show as '?' so that one row stays one line.
 */
public final class Table {

    static final String GAP = "   ";

    private final String[] headers;
    private final List<String[]> rows = new ArrayList<>();

    public Table(String... headers) {
        this.headers = headers.clone();
    }

    /** Adds a row; {@code cells} must match the headers in number. */
    public Table row(Object... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells for " + headers.length + " columns");
        }
        String[] row = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            row[i] = cell(cells[i]);
        }
        rows.add(row);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The table as text, one line per row after the header, each line ending in '\n'. */
    public String render() {
        int[] widths = new int[headers.length];
        for (int i = 0; i < headers.length; i++) {
            widths[i] = width(headers[i]);
        }
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], width(row[i]));
            }
        }
        StringBuilder text = new StringBuilder();
        line(text, headers, widths);
        for (String[] row : rows) {
            line(text, row, widths);
        }
        return text.toString();
    }

    public void print(PrintWriter out) {
        out.print(render());
        out.flush();
    }

    private static void line(StringBuilder text, String[] cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            line.append(cells[i]);
            if (i < cells.length - 1) {
                line.append(" ".repeat(widths[i] - width(cells[i]))).append(GAP);
            }
        }
        text.append(line.toString().stripTrailing()).append('\n');
    }

    static String cell(Object value) {
        String text = value == null ? "" : value.toString();
        if (text.isEmpty()) {
            return "-";
        }
        return text.replaceAll("\\p{Cntrl}", "?");
    }

    /** Width in code points, so that "admins → nas" lines up with ASCII names. */
    private static int width(String text) {
        return text.codePointCount(0, text.length());
    }

    /** "Label:  value" lines with the values aligned, for {@code show}. */
    public static final class Fields {
        private final List<String[]> fields = new ArrayList<>();

        public Fields add(String label, Object value) {
            fields.add(new String[] {label + ":", cell(value)});
            return this;
        }

        public String render() {
            int width = fields.stream().mapToInt(f -> width(f[0])).max().orElse(0);
            StringBuilder text = new StringBuilder();
            for (String[] field : fields) {
                text.append(field[0]).append(" ".repeat(width - width(field[0]) + 2)).append(field[1]).append('\n');
            }
            return text.toString();
        }

        public void print(PrintWriter out) {
            out.print(render());
            out.flush();
        }
    }
}
