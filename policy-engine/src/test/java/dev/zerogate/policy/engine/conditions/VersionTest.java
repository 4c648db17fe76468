package dev.zerogate.policy.engine.conditions;

import dev.zerogate.policy.engine.InvalidPolicyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VersionTest {

    @ParameterizedTest(name = "{0} vs {1}: {2}")
    @CsvSource({
            "10.0.22631,10.0.9999,1",
            "10.0.9999,10.0.22631,-1",
            "14.4,14.4.0,0",
            "14.4.1,14.4,1",
            "15.0,14.4,1",
            "14.3.9,14.4,-1",
            "9,10,-1",
            "10.0.22631.3007,10.0.22631,1",
    })
    void osVersionsCompareNumericallyPerComponent(String a, String b, int sign) {
        int compared = DottedVersion.parse(a, "v").compareTo(DottedVersion.parse(b, "v"));
        assertEquals(sign, Integer.signum(compared));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "6.8.0-45-generic|6.8.0",
            "14.4.1 (23E224)|14.4.1",
            "10.0.22631|10.0.22631",
            "17.|17",
            "Sonoma|",
            "\"\"|",
    })
    void reportedOsVersionsAreReadUpToTheFirstNonNumber(String reported, String expected) {
        Optional<DottedVersion> read = DottedVersion.readReported(reported);
        assertEquals(Optional.ofNullable(expected), read.map(DottedVersion::toString));
    }

    @Test
    void clientVersionsFollowSemverPrecedence() {
        List<String> ascending = List.of("0.3.9", "0.4.0-alpha", "0.4.0-alpha.1", "0.4.0-alpha.beta", "0.4.0-beta",
                "0.4.0-beta.2", "0.4.0-beta.11", "0.4.0-rc.1", "0.4.0", "0.4.1", "0.10.0", "1.0.0");
        for (int i = 0; i + 1 < ascending.size(); i++) {
            SemanticVersion lower = SemanticVersion.parse(ascending.get(i), "v");
            SemanticVersion higher = SemanticVersion.parse(ascending.get(i + 1), "v");
            assertTrue(lower.compareTo(higher) < 0, lower + " should be below " + higher);
            assertTrue(higher.compareTo(lower) > 0, higher + " should be above " + lower);
        }
    }

    @Test
    void buildMetadataDoesNotCount() {
        assertEquals(0, SemanticVersion.parse("0.4.0+build.7", "v").compareTo(SemanticVersion.parse("0.4.0", "v")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "0.4|write MAJOR.MINOR.PATCH",
            "v0.4.0|must be a number",
            "0.04.0|without leading zeros",
            "0.4.0-|invalid pre-release part",
            "0.4.0-rc..1|invalid pre-release part",
    })
    void refusesMalformedClientVersions(String text, String message) {
        InvalidPolicyException e = assertThrows(InvalidPolicyException.class, () -> SemanticVersion.parse(text, "min_client_version"));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"14..4", "14.4-beta", "x", "1.2.3.", "''"})
    void refusesMalformedMinimumOsVersions(String text) {
        assertThrows(InvalidPolicyException.class, () -> DottedVersion.parse(text, "min_version"));
    }
}
