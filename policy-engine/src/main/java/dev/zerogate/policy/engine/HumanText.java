package dev.zerogate.policy.engine;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** Formatting for human reasons: short, stable English, the same on every machine. */
public final class HumanText {

    private static final DateTimeFormatter LOCAL_NOW = DateTimeFormatter.ofPattern("EEE HH:mm", Locale.ENGLISH);

    private HumanText() {}

    /** "8 h", "1 h 30 min", "2 d 3 h", "45 s": the two largest non-zero units. */
    public static String duration(Duration duration) {
        long seconds = Math.max(0, duration.getSeconds());
        long[] amounts = {seconds / 86_400, seconds % 86_400 / 3_600, seconds % 3_600 / 60, seconds % 60};
        String[] units = {"d", "h", "min", "s"};
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < amounts.length && parts.size() < 2; i++) {
            if (amounts[i] > 0) {
                parts.add(amounts[i] + " " + units[i]);
            } else if (!parts.isEmpty()) {
                break;
            }
        }
        return parts.isEmpty() ? "0 s" : String.join(" ", parts);
    }

    /** "every day", "Mon-Fri", "Sat, Sun". */
    public static String days(Set<DayOfWeek> days) {
        if (days.size() == 7) {
            return "every day";
        }
        List<DayOfWeek> sorted = days.stream().sorted().toList();
        boolean consecutive = sorted.get(sorted.size() - 1).getValue() - sorted.get(0).getValue() == sorted.size() - 1;
        if (consecutive && sorted.size() >= 3) {
            return shortDay(sorted.get(0)) + "-" + shortDay(sorted.get(sorted.size() - 1));
        }
        return sorted.stream().map(HumanText::shortDay).collect(Collectors.joining(", "));
    }

    private static String shortDay(DayOfWeek day) {
        return day.getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
    }

    /** "08:05", "24:00". */
    public static String timeOfDay(int minutes) {
        return String.format(Locale.ROOT, "%02d:%02d", minutes / 60, minutes % 60);
    }

    /** "Sat 10:12": the wall clock in {@code zone}. */
    public static String localNow(Instant now, ZoneId zone) {
        return LOCAL_NOW.format(now.atZone(zone));
    }

    /** A quoted destination, bounded so that a hostile string cannot bloat a reason. */
    public static String quoted(String text) {
        String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
