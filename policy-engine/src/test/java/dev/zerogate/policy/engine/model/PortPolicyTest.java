package dev.zerogate.policy.engine.model;

import dev.zerogate.policy.engine.InvalidPolicyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortPolicyTest {

    private final PortPolicy listed = PortPolicy.listed("1", "22", "3000-3999", "65535");

    @ParameterizedTest(name = "port {0} allowed: {1}")
    @CsvSource({
            "0,false", "1,true", "2,false", "21,false", "22,true", "23,false", "2999,false", "3000,true", "3001,true",
            "3998,true", "3999,true", "4000,false", "65534,false", "65535,true", "65536,false", "-1,false",
    })
    void listedRangesIncludeBothEdgesAndNothingPast(int port, boolean allowed) {
        assertEquals(allowed, listed.allows(port));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "80,79-81,443|79-81, 443",
            "443,80|80, 443",
            "3000-3999,3500-4500|3000-4500",
            "1-10,11-20|1-20",
            "1-10,12-20|1-10, 12-20",
            "22,22|22",
            "1-65535,80|1-65535",
    })
    void overlappingAndAdjacentRangesAreMerged(String ranges, String merged) {
        assertEquals(merged, PortPolicy.listed(ranges.split(",")).describe());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "0|port 0 is out of range: ports are 1 to 65535",
            "65536|port 65536 is out of range: ports are 1 to 65535",
            "0-80|port 0 is out of range",
            "80-70000|port 70000 is out of range",
            "4000-3000|range 4000-3000 is inverted: write 3000-4000",
            "http|is not a port or range",
            "80-|is not a port or range",
            "-80|is not a port or range",
    })
    void refusesPortsOutOfBoundsAndInvertedRanges(String range, String message) {
        InvalidPolicyException e = assertThrows(InvalidPolicyException.class, () -> PortPolicy.listed(range));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void refusesAnEmptyListAndMoreThan100Ranges() {
        assertTrue(assertThrows(InvalidPolicyException.class, () -> PortPolicy.listed(List.of())).getMessage()
                .contains("use 'none'"));
        List<PortRange> tooMany = Collections.nCopies(101, PortRange.single(80));
        assertTrue(assertThrows(InvalidPolicyException.class, () -> PortPolicy.listed(tooMany)).getMessage()
                .contains("at most 100"));
    }

    @Test
    void allAndNoneMeanWhatTheySay() {
        assertTrue(PortPolicy.ALL.allows(1));
        assertTrue(PortPolicy.ALL.allows(65535));
        assertFalse(PortPolicy.ALL.allows(0));
        assertFalse(PortPolicy.NONE.allows(80));
    }
}
