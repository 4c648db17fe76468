package dev.zerogate.identity.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeploymentDiscoveryTest {

    static final String KEY = "ZQe0kAmJpB1m2mnk4Nn0fyFL2PU6OHLBzQ2sYJBSeWw";

    @Test
    void policyUrlDefaultsToTheIssuerForTheOneProxyTopology() {
        Map<String, Object> document = DeploymentDiscovery.build("https://zg.example.com/", Optional.empty(), List.of());
        assertEquals("https://zg.example.com/", document.get("issuer"));
        assertEquals("https://zg.example.com", document.get("identity_url"));
        assertEquals("https://zg.example.com", document.get("policy_url"));
        assertEquals(List.of(), document.get("relays"));
    }

    @Test
    void acceptsAPaddedKeyAndPublishesItUnpadded() {
        Map<String, Object> document = DeploymentDiscovery.build("https://zg.example.com", Optional.of("https://zg.example.com:7402"),
                List.of("https://zg.example.com:7405#" + KEY + "="));
        assertEquals(List.of(Map.of("url", "https://zg.example.com:7405", "preamble_key", KEY)), document.get("relays"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "https://relay.example.com:7405|expected URL#KEY",
            "https://relay.example.com:7405#not*base64|not base64url",
            "https://relay.example.com:7405#AAAA|3 bytes",
            "ftp://relay.example.com#" + KEY + "|must start with https://",
            "https://relay.example.com/some/path#" + KEY + "|scheme, host and port only",
            "https:///#" + KEY + "|no host",
    })
    void refusesAMalformedRelayEntryNamingIt(String entry, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeploymentDiscovery.build("https://zg.example.com", Optional.empty(), List.of(entry)));
        assertTrue(e.getMessage().startsWith("ZEROGATE_PUBLIC_RELAYS entry \"" + entry + "\""), e.getMessage());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }
}
