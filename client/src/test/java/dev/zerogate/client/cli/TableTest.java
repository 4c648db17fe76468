package dev.zerogate.client.cli;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TableTest {

    @Test
    void alignsEachColumnToItsWidestCellWithTheHeaderFirst() {
        String text = new Table("ID", "NAME", "PORTS")
                .row("1", "Pi-hole admin", "tcp 80,443")
                .row("22", "NAS", "tcp all")
                .render();
        assertEquals("""
                ID   NAME            PORTS
                1    Pi-hole admin   tcp 80,443
                22   NAS             tcp all
                """, text);
    }

    @Test
    void neverTruncatesIdsAndLeavesNoTrailingSpaces() {
        String id = UUID.randomUUID().toString();
        String text = new Table("ID", "NAME").row(id, "a").row("short", "a much longer name").render();
        assertTrue(text.contains(id + "   a\n"), text);
        for (String line : text.split("\n")) {
            assertEquals(line.stripTrailing(), line);
        }
    }

    @Test
    void showsEmptyCellsAsADashAndKeepsEachRowOnOneLine() {
        String text = new Table("NAME", "ALIAS", "NOTE").row("evil\nname", "", null).render();
        assertEquals("""
                NAME        ALIAS   NOTE
                evil?name   -       -
                """, text);
    }

    @Test
    void countsCharactersNotUtf16UnitsWhenAligning() {
        String text = new Table("RULE", "STATE").row("admins \u2192 nas", "enabled").row("\uD83D\uDE00", "disabled").render();
        String[] lines = text.split("\n");
        assertEquals(lines[0].indexOf("STATE"), lines[1].codePointCount(0, lines[1].indexOf("enabled")));
        assertEquals(lines[0].indexOf("STATE"), lines[2].codePointCount(0, lines[2].indexOf("disabled")));
    }

    @Test
    void refusesARowThatDoesNotMatchTheHeaders() {
        assertThrows(IllegalArgumentException.class, () -> new Table("A", "B").row("only one"));
    }

    @Test
    void fieldsAlignTheirValues() {
        assertEquals("""
                ID:           42
                Name:         home
                Description:  -
                """, new Table.Fields().add("ID", 42).add("Name", "home").add("Description", "").render());
    }
}
