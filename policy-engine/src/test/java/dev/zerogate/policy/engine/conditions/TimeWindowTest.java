package dev.zerogate.policy.engine.conditions;

import dev.zerogate.policy.engine.InvalidPolicyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static dev.zerogate.policy.engine.TestPolicies.window;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimeWindowTest {

    private final TimeWindow officeHours = window("MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY", "08:00", "18:00", "Europe/Berlin");
    private final TimeWindow fridayNight = window("FRIDAY", "22:00", "06:00", "Europe/Berlin");
    private final TimeWindow untilMidnight = window("SUNDAY", "20:00", "24:00", "Europe/Berlin");

    @ParameterizedTest(name = "{0} ({1}): {2}")
    @CsvSource({
            // Summer (CEST, UTC+2): 08:00 local is 06:00Z.
            "2025-06-02T06:00:00Z,Mon 08:00,true",
            "2025-06-02T05:59:59Z,Mon 07:59:59,false",
            "2025-06-02T15:59:59Z,Mon 17:59:59,true",
            "2025-06-02T16:00:00Z,Mon 18:00,false",
            "2025-06-07T10:00:00Z,Sat 12:00,false",
            // Winter (CET, UTC+1): 08:00 local is 07:00Z.
            "2025-01-13T07:00:00Z,Mon 08:00,true",
            "2025-01-13T06:59:59Z,Mon 07:59:59,false",
            "2025-01-13T17:00:00Z,Mon 18:00,false",
    })
    void officeHoursStartInclusiveEndExclusiveFollowingDaylightSaving(Instant at, String local, boolean inside) {
        assertEquals(inside, officeHours.contains(at));
    }

    @ParameterizedTest(name = "{0} ({1}): {2}")
    @CsvSource({
            "2025-06-06T20:00:00Z,Fri 22:00,true",
            "2025-06-06T19:59:59Z,Fri 21:59:59,false",
            "2025-06-06T22:00:00Z,Sat 00:00,true",
            "2025-06-07T03:59:59Z,Sat 05:59:59,true",
            "2025-06-07T04:00:00Z,Sat 06:00,false",
            "2025-06-05T20:00:00Z,Thu 22:00,false",
            "2025-06-05T23:00:00Z,Fri 01:00 (Thursday night),false",
            "2025-06-07T20:00:00Z,Sat 22:00,false",
    })
    void windowCrossingMidnightStartsOnItsDayAndEndsTheNextMorning(Instant at, String local, boolean inside) {
        assertEquals(inside, fridayNight.contains(at));
    }

    @ParameterizedTest(name = "{0} ({1}): {2}")
    @CsvSource({
            "2025-06-01T21:59:59Z,Sun 23:59:59,true",
            "2025-06-01T22:00:00Z,Mon 00:00,false",
    })
    void endOf2400IsMidnightAtTheEndOfTheDay(Instant at, String local, boolean inside) {
        assertEquals(inside, untilMidnight.contains(at));
    }

    @ParameterizedTest(name = "{0} ({1}): {2}")
    @CsvSource({
            // 2025-03-30, Europe/Berlin springs forward at 02:00 CET to 03:00 CEST: 02:00-03:00 local never happens.
            "2025-03-30T00:59:59Z,01:59:59 CET,false",
            "2025-03-30T01:00:00Z,03:00 CEST,false",
    })
    void skippedHourOfSpringForwardContainsNoInstant(Instant at, String local, boolean inside) {
        assertEquals(inside, window("SUNDAY", "02:00", "03:00", "Europe/Berlin").contains(at));
    }

    @ParameterizedTest(name = "{0} ({1}): {2}")
    @CsvSource({
            // 2025-10-26, Europe/Berlin falls back at 03:00 CEST to 02:00 CET: 02:00-03:00 local happens twice.
            "2025-10-26T00:30:00Z,02:30 CEST,true",
            "2025-10-26T01:30:00Z,02:30 CET,true",
            "2025-10-26T02:00:00Z,03:00 CET,false",
            "2025-10-25T23:59:59Z,01:59:59 CEST,false",
    })
    void repeatedHourOfFallBackIsInsideBothTimes(Instant at, String local, boolean inside) {
        assertEquals(inside, window("SUNDAY", "02:00", "03:00", "Europe/Berlin").contains(at));
    }

    @ParameterizedTest(name = "at {0} the occurrence ends {1}")
    @CsvSource({
            "2025-06-06T20:00:00Z,2025-06-07T04:00:00Z",
            "2025-06-07T01:00:00Z,2025-06-07T04:00:00Z",
    })
    void occurrenceOfAWindowPastMidnightEndsTheNextMorning(Instant at, Instant end) {
        assertEquals(end, fridayNight.endOfOccurrence(at));
    }

    @Test
    void occurrenceEndDuringTheRepeatedHourIsNeverInThePast() {
        TimeWindow window = window("SUNDAY", "01:00", "02:30", "Europe/Berlin");
        Instant secondPass = Instant.parse("2025-10-26T01:10:00Z"); // 02:10 CET, after the clocks went back
        assertTrue(window.contains(secondPass));
        assertEquals(Instant.parse("2025-10-26T01:30:00Z"), window.endOfOccurrence(secondPass));
    }

    @Test
    void occurrenceEndingInTheSkippedHourEndsAtTheJump() {
        // 2025-03-30, Europe/Berlin: 01:59:59 CET is followed by 03:00 CEST, so 02:30 never shows on the clock.
        TimeWindow window = window("SUNDAY", "01:00", "02:30", "Europe/Berlin");
        Instant lastMinute = Instant.parse("2025-03-30T00:59:00Z"); // 01:59 CET
        assertTrue(window.contains(lastMinute));
        assertEquals(Instant.parse("2025-03-30T01:00:00Z"), window.endOfOccurrence(lastMinute));
    }

    /**
     * Property: inside a window, the occurrence ends exactly at the first later minute the window
     * no longer contains, across every DST change of the swept days (an hour in Berlin and New
     * York, half an hour on Lord Howe Island). The windows are chosen so that no two occurrences
     * touch, so "first minute outside" is the end of the occurrence.
     */
    @ParameterizedTest(name = "{0} {1}-{2} in {3} from {4}")
    @CsvSource({
            "SUNDAY,01:00,02:30,Europe/Berlin,2025-03-29T00:00:00Z",
            "SUNDAY,01:00,02:30,Europe/Berlin,2025-10-25T00:00:00Z",
            "SATURDAY,22:00,02:30,Europe/Berlin,2025-03-29T00:00:00Z",
            "SATURDAY,22:00,02:30,Europe/Berlin,2025-10-25T00:00:00Z",
            "SUNDAY,02:15,03:00,Europe/Berlin,2025-10-25T00:00:00Z",
            "SATURDAY,23:00,02:15,America/New_York,2025-03-08T00:00:00Z",
            "SATURDAY,23:00,02:15,America/New_York,2025-11-01T00:00:00Z",
            "SUNDAY,01:45,02:15,Australia/Lord_Howe,2025-04-05T00:00:00Z",
            "SUNDAY,01:45,02:15,Australia/Lord_Howe,2025-10-04T00:00:00Z",
            "SUNDAY,20:00,24:00,Europe/Berlin,2025-03-29T00:00:00Z",
    })
    void occurrenceEndsAtTheFirstMinuteOutsideTheWindow(String day, String start, String end, String zone, Instant from) {
        TimeWindow window = window(day, start, end, zone);
        int minutes = 3 * 24 * 60;
        boolean[] inside = new boolean[minutes + 1];
        for (int i = 0; i <= minutes; i++) {
            inside[i] = window.contains(from.plusSeconds(60L * i));
        }
        assertTrue(!inside[minutes], "the sweep must end outside the window");
        int firstOutside = minutes;
        int checked = 0;
        for (int i = minutes; i >= 0; i--) {
            if (!inside[i]) {
                firstOutside = i;
                continue;
            }
            Instant at = from.plusSeconds(60L * i);
            assertEquals(from.plusSeconds(60L * firstOutside), window.endOfOccurrence(at), "occurrence containing " + at);
            checked++;
        }
        assertTrue(checked > 0, "the sweep should pass through the window");
    }

    @Test
    void describesItselfForPeople() {
        assertEquals("Mon-Fri 08:00-18:00 (Europe/Berlin)", officeHours.describe());
        assertEquals("Fri 22:00-06:00 next day (Europe/Berlin)", fridayNight.describe());
        assertEquals("Sat, Sun 10:00-12:00 (UTC)", window("SATURDAY, SUNDAY", "10:00", "12:00", "UTC").describe());
    }

    @ParameterizedTest(name = "{0}-{1} {2}")
    @CsvSource(delimiter = '|', value = {
            "24:00|06:00|Europe/Berlin|hours 00 to 23 (24:00 only as an end)",
            "08:00|24:30|Europe/Berlin|hours 00 to 23",
            "08:60|18:00|Europe/Berlin|minutes 00 to 59",
            "8:00|18:00|Europe/Berlin|write HH:MM",
            "08:00|18:00|Mars/Olympus|not an IANA time zone",
            "08:00|18:00|+02:00|must be an IANA time zone",
    })
    void refusesMalformedTimesAndZones(String start, String end, String zone, String message) {
        InvalidPolicyException e = assertThrows(InvalidPolicyException.class, () -> window("MONDAY", start, end, zone));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void refusesAWindowWithoutDays() {
        InvalidPolicyException e = assertThrows(InvalidPolicyException.class,
                () -> TimeWindow.of(java.util.List.of(), "08:00", "18:00", "UTC"));
        assertTrue(e.getMessage().contains("1 to 7 days"), e.getMessage());
    }
}
