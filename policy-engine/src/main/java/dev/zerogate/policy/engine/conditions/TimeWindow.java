package dev.zerogate.policy.engine.conditions;

import dev.zerogate.policy.engine.HumanText;
import dev.zerogate.policy.engine.InvalidPolicyException;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * A recurring weekly window of local wall-clock time during which a rule applies.
 *
 * <p>Edges: the start is inclusive and the end exclusive, at minute precision: a window
 * 08:00-18:00 contains 08:00:00 and 17:59:59 and not 18:00:00. An end of 24:00 means midnight at
 * the end of the day.
 *
 * <p>Midnight: the days are the days the window <em>starts</em> on. If the end is not after the
 * start, the window runs past midnight into the next day: Fri 22:00-06:00 covers Friday 22:00 to
 * Saturday 06:00. As the proto words it, an end equal to the start is then a 24-hour window; the
 * validator refuses that spelling as ambiguous (see {@link dev.zerogate.policy.engine.validation.PolicyValidator}).
 *
 * <p>Daylight saving: times are wall-clock times in the window's IANA zone, so a window follows
 * the zone's DST changes. On the spring-forward day a skipped local hour contains no instant; on
 * the fall-back day a repeated local hour is inside the window both times. A window whose end
 * falls in a skipped hour ends at the jump, when the wall clock passes its end; a fall-back that
 * sets the clock back before the start ends the occurrence at the fall-back (and the window opens
 * again when the clock reaches the start a second time).
 *
 * @param days days on which the window starts, 1 to 7
 * @param startMinute local start as minutes after midnight, 0 to 1439
 * @param endMinute local end as minutes after midnight, 0 to 1440 (24:00)
 * @param zone IANA time zone the times are in
 */
public record TimeWindow(Set<DayOfWeek> days, int startMinute, int endMinute, ZoneId zone) {

    private static final int MINUTES_PER_DAY = 24 * 60;

    /** Longest zone id, from the proto. */
    public static final int MAX_ZONE_LENGTH = 64;

    public TimeWindow {
        if (days == null || days.isEmpty()) {
            throw new InvalidPolicyException("days", "must name 1 to 7 days on which the window starts");
        }
        days = Collections.unmodifiableSet(EnumSet.copyOf(days));
        if (startMinute < 0 || startMinute >= MINUTES_PER_DAY) {
            throw new InvalidPolicyException("start", "must be 00:00 to 23:59");
        }
        if (endMinute < 0 || endMinute > MINUTES_PER_DAY) {
            throw new InvalidPolicyException("end", "must be 00:00 to 24:00");
        }
        if (zone == null || zone instanceof ZoneOffset) {
            throw new InvalidPolicyException("time_zone", "must be an IANA time zone such as Europe/Berlin, so that daylight saving is followed");
        }
    }

    /**
     * A window from text: days, "HH:MM" start and end ("24:00" allowed as end), IANA zone.
     *
     * @throws InvalidPolicyException naming what is wrong
     */
    public static TimeWindow of(Collection<DayOfWeek> days, String start, String end, String zone) {
        if (days == null || days.isEmpty() || days.size() > 7 || EnumSet.copyOf(days).size() != days.size()) {
            throw new InvalidPolicyException("days", "must name 1 to 7 days, each once");
        }
        return new TimeWindow(EnumSet.copyOf(days), parseTime(start, "start", false), parseTime(end, "end", true), parseZone(zone));
    }

    private static int parseTime(String text, String field, boolean isEnd) {
        if (text == null || !text.matches("\\d{2}:\\d{2}")) {
            throw new InvalidPolicyException(field, "'" + text + "' is not a time of day: write HH:MM, e.g. 08:00");
        }
        int hours = Integer.parseInt(text.substring(0, 2));
        int minutes = Integer.parseInt(text.substring(3));
        boolean endOfDay = isEnd && hours == 24 && minutes == 0;
        if (minutes > 59 || (hours > 23 && !endOfDay)) {
            throw new InvalidPolicyException(field, "'" + text + "' is not a time of day: hours 00 to 23 (24:00 only as an end), minutes 00 to 59");
        }
        return hours * 60 + minutes;
    }

    private static ZoneId parseZone(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_ZONE_LENGTH) {
            throw new InvalidPolicyException("time_zone", "must be an IANA time zone such as Europe/Berlin");
        }
        try {
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            throw new InvalidPolicyException("time_zone", "'" + text + "' is not an IANA time zone; write one such as Europe/Berlin");
        }
    }

    /** Whether the window runs past midnight into the next day. */
    public boolean crossesMidnight() {
        return endMinute <= startMinute;
    }

    /** Whether {@code now} is inside the window. */
    public boolean contains(Instant now) {
        ZonedDateTime local = now.atZone(zone);
        int minute = local.getHour() * 60 + local.getMinute();
        DayOfWeek day = local.getDayOfWeek();
        if (!crossesMidnight()) {
            return days.contains(day) && minute >= startMinute && minute < endMinute;
        }
        return (days.contains(day) && minute >= startMinute) || (days.contains(day.minus(1)) && minute < endMinute);
    }

    /**
     * When the occurrence of the window that contains {@code now} ends: the first instant after
     * {@code now} at which {@link #contains} turns false. A grant issued inside it must not outlive it.
     *
     * <p>Between two offset transitions of the zone the wall clock runs steadily, so the occurrence
     * ends at its local end time, unless a transition comes first and throws the clock outside the
     * window: on Lord Howe Island a window 01:45-02:15 left at 02:00 lands at 01:30, before its
     * start. So: take the local end, and walk the transitions before it.
     *
     * @throws IllegalStateException if {@code now} is outside the window
     */
    public Instant endOfOccurrence(Instant now) {
        if (!contains(now)) {
            throw new IllegalStateException("not inside the window");
        }
        ZoneRules rules = zone.getRules();
        Instant inside = now;
        // Terminates: each pass moves to a later transition before the end, and an occurrence is
        // shorter than two days, which hold a handful of transitions at most.
        while (true) {
            Instant localEnd = localEndAfter(inside, rules);
            ZoneOffsetTransition next = rules.nextTransition(inside);
            if (next == null || !next.getInstant().isBefore(localEnd)) {
                return localEnd;
            }
            if (!contains(next.getInstant())) {
                return next.getInstant();
            }
            inside = next.getInstant();
        }
    }

    /** The instant the wall clock, running without a transition from {@code inside}, reaches the window's end. */
    private Instant localEndAfter(Instant inside, ZoneRules rules) {
        ZonedDateTime local = inside.atZone(zone);
        LocalDate endDate = local.toLocalDate();
        int minute = local.getHour() * 60 + local.getMinute();
        if (crossesMidnight() && days.contains(local.getDayOfWeek()) && minute >= startMinute) {
            endDate = endDate.plusDays(1);
        }
        LocalDateTime end = endDate.atStartOfDay().plusMinutes(endMinute);
        ZoneOffsetTransition transition = rules.getTransition(end);
        if (transition != null && transition.isGap()) {
            // The end falls in the hour skipped by spring-forward (02:30 on a day that jumps from
            // 02:00 to 03:00): the wall clock passes it at the jump, so the window ends there.
            // ZonedDateTime.of would move the end an hour later and a grant would outlive the window.
            return transition.getInstant();
        }
        ZonedDateTime zoned = ZonedDateTime.of(end, zone);
        if (!zoned.toInstant().isAfter(inside)) {
            // Inside the second pass of a repeated (fall-back) hour: the end is the later of the two.
            zoned = zoned.withLaterOffsetAtOverlap();
        }
        return zoned.toInstant();
    }

    /** "Mon-Fri 08:00-18:00 (Europe/Berlin)", "Fri 22:00-06:00 next day (Europe/Berlin)". */
    public String describe() {
        return HumanText.days(days) + " " + HumanText.timeOfDay(startMinute) + "-" + HumanText.timeOfDay(endMinute)
                + (crossesMidnight() ? " next day" : "") + " (" + zone.getId() + ")";
    }
}
