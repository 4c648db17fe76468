package dev.zerogate.client.cli;

import dev.zerogate.proto.policy.v1.DayOfWeek;
import dev.zerogate.proto.policy.v1.TimeOfDay;
import dev.zerogate.proto.policy.v1.TimeWindow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static dev.zerogate.proto.policy.v1.DayOfWeek.DAY_OF_WEEK_FRIDAY;
import static dev.zerogate.proto.policy.v1.DayOfWeek.DAY_OF_WEEK_MONDAY;
import static dev.zerogate.proto.policy.v1.DayOfWeek.DAY_OF_WEEK_SATURDAY;
import static dev.zerogate.proto.policy.v1.DayOfWeek.DAY_OF_WEEK_SUNDAY;
import static dev.zerogate.proto.policy.v1.DayOfWeek.DAY_OF_WEEK_THURSDAY;
import static dev.zerogate.proto.policy.v1.DayOfWeek.DAY_OF_WEEK_TUESDAY;
import static dev.zerogate.proto.policy.v1.DayOfWeek.DAY_OF_WEEK_WEDNESDAY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WindowSpecTest {

    private static TimeOfDay time(int hours, int minutes) {
        return TimeOfDay.newBuilder().setHours(hours).setMinutes(minutes).build();
    }

    @Test
    void readsWeekdayOfficeHoursInAZone() {
        TimeWindow window = WindowSpec.parse("Mon-Fri 08:00-18:00 Europe/Berlin");
        assertEquals(TimeWindow.newBuilder()
                .addAllDays(List.of(DAY_OF_WEEK_MONDAY, DAY_OF_WEEK_TUESDAY, DAY_OF_WEEK_WEDNESDAY, DAY_OF_WEEK_THURSDAY, DAY_OF_WEEK_FRIDAY))
                .setStart(time(8, 0)).setEnd(time(18, 0)).setTimeZone("Europe/Berlin").build(), window);
    }

    @Test
    void readsAWeekendNightThatRunsPastMidnight() {
        TimeWindow window = WindowSpec.parse("Sat,Sun 22:00-06:00 UTC");
        assertEquals(TimeWindow.newBuilder().addAllDays(List.of(DAY_OF_WEEK_SATURDAY, DAY_OF_WEEK_SUNDAY))
                .setStart(time(22, 0)).setEnd(time(6, 0)).setTimeZone("UTC").build(), window);
    }

    @Test
    void acceptsFullDayNamesAnyCaseSpacesAroundSeparatorsAndMidnightAsAnEnd() {
        TimeWindow window = WindowSpec.parse("  monday, WED  9:30 - 24:00  America/New_York ");
        assertEquals(List.of(DAY_OF_WEEK_MONDAY, DAY_OF_WEEK_WEDNESDAY), window.getDaysList());
        assertEquals(time(9, 30), window.getStart());
        assertEquals(time(24, 0), window.getEnd());
        assertEquals("America/New_York", window.getTimeZone());
    }

    @Test
    void aRangeOfDaysMayWrapTheWeek() {
        assertEquals(List.of(DAY_OF_WEEK_MONDAY, DAY_OF_WEEK_FRIDAY, DAY_OF_WEEK_SATURDAY, DAY_OF_WEEK_SUNDAY),
                sorted(WindowSpec.parse("Fri-Mon 20:00-23:00 UTC").getDaysList()));
    }

    private static List<DayOfWeek> sorted(List<DayOfWeek> days) {
        return days.stream().sorted().toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Mon-Fri 08:00-18:00 Europe/Berlin", "Sat,Sun 22:00-06:00 UTC", "Mon-Sun 00:00-24:00 UTC",
            "Mon-Wed,Fri 07:30-09:00 Asia/Tokyo", "Tue,Thu 12:00-13:00 America/Argentina/Buenos_Aires"})
    void rendersTextThatParsesBackToTheSameWindow(String text) {
        TimeWindow window = WindowSpec.parse(text);
        assertEquals(text, WindowSpec.render(window));
        assertEquals(window.getDaysList().stream().sorted().toList(), sorted(WindowSpec.parse(WindowSpec.render(window)).getDaysList()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "Mon-Fri 08:00-18:00                 | needs a time zone",
            "Mon-Fri 08:00-18:00 Europe/Berln    | 'Europe/Berln' is not an IANA time zone",
            "Mon-Fri 08:00-18:00 +02:00          | '+02:00' is not an IANA time zone",
            "Funday 08:00-18:00 UTC              | 'Funday' is not a day",
            "Mon,Mon 08:00-18:00 UTC             | Mon is named twice",
            "Mon-Fri,Wed 08:00-18:00 UTC         | Wed is named twice",
            "Mon-Fri 8-18 UTC                    | '8-18' is not a start and end time",
            "Mon-Fri 25:00-18:00 UTC             | the start 25:00 is not a time of day",
            "Mon-Fri 24:00-18:00 UTC             | the start 24:00 is not a time of day",
            "Mon-Fri 08:00-24:30 UTC             | the end 24:30 is not a time of day",
            "Mon-Fri 08:60-18:00 UTC             | the start 08:60 is not a time of day",
            "Mon 08:00-08:00 UTC                 | starts when it ends",
            "Mon 00:00-24:00 UTC extra           | is not a time window",
            "Mon-Tue-Wed 08:00-18:00 UTC         | 'Mon-Tue-Wed' is not a day or a range of days",
    })
    void refusesMalformedWindowsSayingWhatIsWrong(String text, String expected) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> WindowSpec.parse(text));
        assertTrue(refused.getMessage().contains(expected), refused.getMessage());
    }

    @Test
    void refusesAnEmptyWindow() {
        assertThrows(IllegalArgumentException.class, () -> WindowSpec.parse(""));
        assertThrows(IllegalArgumentException.class, () -> WindowSpec.parse(null));
    }
}
