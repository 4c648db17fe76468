package dev.zerogate.connector.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectorLabelsTest {

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
            "ZEROGATE_LABEL_SITE,      site",
            "ZEROGATE_LABEL_RACK_UNIT, rack-unit",
            "ZEROGATE_LABEL_Floor2,    floor2",
            "ZEROGATE_LABEL_A__B,      a--b",
    })
    void environmentKeysAreLowercasedWithUnderscoresAsDashes(String variable, String key) {
        assertEquals(Map.of(key, "x"), ConnectorLabels.merge(Map.of(variable, "x"), Map.of()));
    }

    @Test
    void mergesEnvironmentOverConfigurationAndIgnoresOtherVariables() {
        Map<String, String> labels = ConnectorLabels.merge(
                Map.of("ZEROGATE_LABEL_SITE", "attic", "ZEROGATE_URL", "http://127.0.0.1:7401", "PATH", "/usr/bin"),
                Map.of("site", "cellar", "owner.team", "home-lab"));
        assertEquals(Map.of("site", "attic", "owner.team", "home-lab"), labels);
    }

    @Test
    void acceptsThirtyTwoLabelsWithLongestKeysAndValues() {
        Map<String, String> environment = new HashMap<>();
        for (int i = 0; i < 32; i++) {
            environment.put("ZEROGATE_LABEL_" + "K".repeat(60) + String.format("%03d", i), "v".repeat(255));
        }
        assertEquals(32, ConnectorLabels.merge(environment, Map.of()).size());
    }

    @Test
    void invalidLabelsStopTheStartNamingEachOne() {
        Map<String, String> environment = new HashMap<>();
        environment.put("ZEROGATE_LABEL_", "empty key");
        environment.put("ZEROGATE_LABEL_" + "K".repeat(64), "key too long");
        environment.put("ZEROGATE_LABEL_NOTE", "v".repeat(256));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConnectorLabels.merge(environment, Map.of("Site", "upper-case key", "ok", "fine")));

        String message = e.getMessage();
        assertTrue(message.startsWith("invalid connector labels: "), message);
        assertTrue(message.contains("ZEROGATE_LABEL_: the key \"\" must be 1 to 63 of a-z 0-9 . _ -"), message);
        assertTrue(message.contains("ZEROGATE_LABEL_" + "K".repeat(64) + ": the key"), message);
        assertTrue(message.contains("ZEROGATE_LABEL_NOTE: the value is longer than 255 characters"), message);
        assertTrue(message.contains("zerogate.connector.labels.Site: the key \"Site\""), message);
        assertTrue(!message.contains("zerogate.connector.labels.ok"), message);
    }

    @Test
    void moreThanThirtyTwoLabelsAreRefused() {
        Map<String, String> environment = new HashMap<>();
        for (int i = 0; i < 33; i++) {
            environment.put("ZEROGATE_LABEL_L" + i, "x");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConnectorLabels.merge(environment, Map.of()));
        assertTrue(e.getMessage().contains("33 labels, at most 32 are allowed"), e.getMessage());
    }
}
