package dev.zerogate.client.cli;

import com.google.protobuf.Timestamp;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lengths and points in time as written on the command line: durations such as {@code 30m},
 * {@code 8h}, {@code 2d} or {@code 1h30m} (units s, m, h, d; a day is 24 hours), and points in
 * ISO 8601 with an offset, such as {@code 2026-12-31T00:00:00Z}.
 */
public final class TimeSpec {

    private static final Pattern DURATION = Pattern.compile("(?:\\d+[smhd])+");
    private static final Pattern PART = Pattern.compile("(\\d+)([smhd])");
    /** Far beyond any limit of the contract (30 days), and far from overflowing. */
    private static final long MAX_SECONDS = 3650L * 86_400;

    private TimeSpec() {
    }

    /** @throws IllegalArgumentException unless the text is a positive duration */
    static Duration duration(String text) {
        String spec = text == null ? "" : text.strip();
        if (!DURATION.matcher(spec).matches()) {
            throw new IllegalArgumentException("'" + spec + "' is not a duration: write a number and a unit (s, m, h or d), "
                    + "e.g. 30m, 8h, 2d or 1h30m");
        }
        long seconds = 0;
        Matcher part = PART.matcher(spec);
        while (part.find()) {
            String digits = part.group(1);
            long amount = digits.length() > 9 ? MAX_SECONDS + 1 : Long.parseLong(digits);
            long unit = switch (part.group(2)) {
                case "s" -> 1;
                case "m" -> 60;
                case "h" -> 3600;
                default -> 86_400;
            };
            seconds += Math.min(amount, MAX_SECONDS + 1) * unit;
            if (seconds > MAX_SECONDS) {
                throw new IllegalArgumentException("'" + spec + "' is longer than 3650 days");
            }
        }
        if (seconds == 0) {
            throw new IllegalArgumentException("'" + spec + "' is no time at all: give a duration above zero");
        }
        return Duration.ofSeconds(seconds);
    }

    /** "8h", "1h30m", "2d", "45s": what {@link #duration} reads back. */
    public static String render(Duration duration) {
        long seconds = duration.getSeconds();
        if (seconds <= 0) {
            return "0s";
        }
        StringBuilder text = new StringBuilder();
        long[] units = {86_400, 3600, 60, 1};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (seconds >= units[i]) {
                text.append(seconds / units[i]).append(names[i]);
                seconds %= units[i];
            }
        }
        return text.toString();
    }

    public static com.google.protobuf.Duration toProto(Duration duration) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(duration.getSeconds()).setNanos(duration.getNano()).build();
    }

    public static Duration fromProto(com.google.protobuf.Duration duration) {
        return Duration.ofSeconds(duration.getSeconds(), duration.getNanos());
    }

    /** @throws IllegalArgumentException unless the text is an ISO 8601 point in time with an offset */
    static Instant instant(String text) {
        String spec = text == null ? "" : text.strip();
        try {
            return OffsetDateTime.parse(spec).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + spec + "' is not a point in time: write it like 2026-12-31T00:00:00Z "
                    + "(or with an offset, 2026-12-31T00:00:00+01:00)");
        }
    }

    public static Timestamp toProto(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    /** A timestamp as ISO 8601 UTC to the second (for reading; --json keeps the full precision), or "-" when unset. */
    public static String render(Timestamp timestamp) {
        if (timestamp.getSeconds() == 0 && timestamp.getNanos() == 0) {
            return "-";
        }
        return Instant.ofEpochSecond(timestamp.getSeconds()).toString();
    }
}
