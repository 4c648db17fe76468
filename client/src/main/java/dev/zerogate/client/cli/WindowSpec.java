package dev.zerogate.client.cli;

import dev.zerogate.proto.policy.v1.DayOfWeek;
import dev.zerogate.proto.policy.v1.TimeOfDay;
import dev.zerogate.proto.policy.v1.TimeWindow;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rule's weekly time window as written on the command line and shown in tables:
 * {@code DAYS HH:MM-HH:MM ZONE}, e.g. {@code "Mon-Fri 08:00-18:00 Europe/Berlin"} or
 * {@code "Sat,Sun 22:00-06:00 UTC"}.
 *
 * <ul>
 *   <li>DAYS: the days the window starts on, comma-separated days or ranges of days (Mon, Tue,
 *   ... or Monday, ...; any case); a range may wrap the week ({@code Fri-Mon}). Each day once.</li>
 *   <li>Times: start inclusive, end exclusive; an end not after the start runs past midnight
 *   into the next day; {@code 24:00} only as an end. Start and end may not be equal (the
 *   server refuses that spelling as ambiguous).</li>
 *   <li>ZONE: an IANA zone (daylight saving is followed), never a fixed offset.</li>
 * </ul>
 */
public final class WindowSpec {

    private static final Pattern TIMES = Pattern.compile("(\\d{1,2}):(\\d{2})-(\\d{1,2}):(\\d{2})");
    private static final String EXAMPLE = "write it like \"Mon-Fri 08:00-18:00 Europe/Berlin\"";
    private static final String[] SHORT = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

    private WindowSpec() {
    }

    /** @throws IllegalArgumentException naming what is wrong */
    static TimeWindow parse(String text) {
        // Spaces around ',' and '-' are forgiven ("Sat, Sun", "08:00 - 18:00"); zone ids have none.
        String[] parts = text == null ? new String[0]
                : text.strip().replaceAll("\\s*,\\s*", ",").replaceAll("\\s*-\\s*", "-").split("\\s+");
        if (parts.length == 2 && TIMES.matcher(parts[1]).matches()) {
            throw new IllegalArgumentException("the window '" + text.strip() + "' needs a time zone, e.g. UTC or Europe/Berlin");
        }
        if (parts.length != 3) {
            throw new IllegalArgumentException("'" + (text == null ? "" : text.strip()) + "' is not a time window: days, times "
                    + "and a time zone; " + EXAMPLE);
        }
        TimeWindow.Builder window = TimeWindow.newBuilder();
        for (java.time.DayOfWeek day : days(parts[0])) {
            window.addDays(DayOfWeek.forNumber(day.getValue()));
        }
        Matcher times = TIMES.matcher(parts[1]);
        if (!times.matches()) {
            throw new IllegalArgumentException("'" + parts[1] + "' is not a start and end time: " + EXAMPLE);
        }
        int startHours = Integer.parseInt(times.group(1));
        int startMinutes = Integer.parseInt(times.group(2));
        int endHours = Integer.parseInt(times.group(3));
        int endMinutes = Integer.parseInt(times.group(4));
        if (startHours > 23 || startMinutes > 59) {
            throw new IllegalArgumentException("the start " + times.group(1) + ":" + times.group(2)
                    + " is not a time of day (00:00 to 23:59)");
        }
        if (endMinutes > 59 || endHours > 24 || (endHours == 24 && endMinutes != 0)) {
            throw new IllegalArgumentException("the end " + times.group(3) + ":" + times.group(4)
                    + " is not a time of day (00:00 to 24:00)");
        }
        if (startHours * 60 + startMinutes == endHours * 60 + endMinutes) {
            throw new IllegalArgumentException("the window " + parts[1] + " starts when it ends; for a whole day write 00:00-24:00");
        }
        window.setStart(TimeOfDay.newBuilder().setHours(startHours).setMinutes(startMinutes))
                .setEnd(TimeOfDay.newBuilder().setHours(endHours).setMinutes(endMinutes));
        return window.setTimeZone(zone(parts[2])).build();
    }

    private static Set<java.time.DayOfWeek> days(String text) {
        EnumSet<java.time.DayOfWeek> days = EnumSet.noneOf(java.time.DayOfWeek.class);
        for (String item : text.split(",", -1)) {
            String[] ends = item.split("-", -1);
            if (ends.length > 2) {
                throw new IllegalArgumentException("'" + item + "' is not a day or a range of days such as Mon-Fri");
            }
            java.time.DayOfWeek first = day(ends[0]);
            java.time.DayOfWeek last = ends.length == 2 ? day(ends[1]) : first;
            for (java.time.DayOfWeek day = first; ; day = day.plus(1)) {
                if (!days.add(day)) {
                    throw new IllegalArgumentException(SHORT[day.getValue() - 1] + " is named twice in '" + text + "'");
                }
                if (day == last) {
                    break;
                }
            }
        }
        return days;
    }

    private static java.time.DayOfWeek day(String text) {
        String name = text.strip().toLowerCase(Locale.ROOT);
        for (java.time.DayOfWeek day : java.time.DayOfWeek.values()) {
            String full = day.name().toLowerCase(Locale.ROOT);
            if (name.length() >= 3 && full.startsWith(name) && (name.length() == 3 || name.equals(full))) {
                return day;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a day: write Mon, Tue, Wed, Thu, Fri, Sat or Sun");
    }

    private static String zone(String text) {
        // Only region ids: a fixed offset would not follow daylight saving, which a window promises.
        if (!ZoneId.getAvailableZoneIds().contains(text)) {
            throw new IllegalArgumentException("'" + text + "' is not an IANA time zone; write one such as UTC or Europe/Berlin");
        }
        return text;
    }

    /** "Mon-Fri 08:00-18:00 Europe/Berlin": what {@link #parse} reads back to the same window. */
    public static String render(TimeWindow window) {
        return days(window.getDaysList()) + " " + time(window.getStart()) + "-" + time(window.getEnd()) + " " + window.getTimeZone();
    }

    /** Runs of three or more consecutive days as ranges, the rest one by one: "Mon-Wed,Fri". */
    private static String days(List<DayOfWeek> days) {
        boolean[] on = new boolean[8];
        for (DayOfWeek day : days) {
            if (day.getNumber() >= 1 && day.getNumber() <= 7) {
                on[day.getNumber()] = true;
            }
        }
        List<String> parts = new ArrayList<>();
        for (int day = 1; day <= 7; day++) {
            if (!on[day]) {
                continue;
            }
            int end = day;
            while (end < 7 && on[end + 1]) {
                end++;
            }
            if (end - day >= 2) {
                parts.add(SHORT[day - 1] + "-" + SHORT[end - 1]);
            } else {
                for (int d = day; d <= end; d++) {
                    parts.add(SHORT[d - 1]);
                }
            }
            day = end;
        }
        return String.join(",", parts);
    }

    private static String time(TimeOfDay time) {
        return String.format(Locale.ROOT, "%02d:%02d", time.getHours(), time.getMinutes());
    }
}
