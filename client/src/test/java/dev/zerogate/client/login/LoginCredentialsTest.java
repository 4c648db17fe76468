package dev.zerogate.client.login;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** credentials.json as every version of the CLI reads and writes it. */
class LoginCredentialsTest {

    static LoginCredentials login(String server, String policyUrl) {
        return new LoginCredentials(server, "a.b.c", "refresh", 0, policyUrl);
    }

    @Test
    void credentialsOfOlderVersionsLoadWithoutAPolicyUrlAndNoneIsWrittenUntilGiven() throws Exception {
        ObjectMapper json = new ObjectMapper();
        LoginCredentials old = json.readValue("{\"server\":\"http://127.0.0.1:7401\",\"access_token\":\"a\",\"refresh_token\":\"r\","
                + "\"access_token_expires_at\":5}", LoginCredentials.class);
        assertNull(old.policyUrl());
        assertFalse(json.writeValueAsString(old).contains("policy_url"));
        LoginCredentials saved = json.readValue(json.writeValueAsString(old.withPolicyUrl("http://p:1")), LoginCredentials.class);
        assertEquals("http://p:1", saved.policyUrl());
        assertEquals("r", saved.refreshToken());
    }

    @Test
    void credentialsOfOlderVersionsAreNotFromDiscoveryAndSayToLogInAgainInOneLine() throws Exception {
        LoginCredentials old = new ObjectMapper().readValue("{\"server\":\"http://127.0.0.1:7401\",\"access_token\":\"a\","
                + "\"refresh_token\":\"r\",\"access_token_expires_at\":5,\"policy_url\":\"http://127.0.0.1:7402\"}", LoginCredentials.class);
        assertFalse(old.fromDiscovery());
        assertFalse(LoginCredentials.LOG_IN_AGAIN.contains("\n"));
        assertTrue(LoginCredentials.LOG_IN_AGAIN.contains("log in again: zerogate login"));
    }

    @Test
    void aLoginKeepsTheRelaysTheCaFileAndTheInsecureChoiceAcrossARefresh() throws Exception {
        ObjectMapper json = new ObjectMapper();
        LoginCredentials login = new LoginCredentials("https://zg.example.com", "a", "r", 5, "https://zg.example.com:7402",
                java.util.List.of(new LoginCredentials.SavedRelay("https://zg.example.com:7405", "ZQe0kAmJpB1m2mnk4Nn0fyFL2PU6OHLBzQ2sYJBSeWw")),
                "/etc/zerogate/ca.pem", true);
        LoginCredentials refreshed = json.readValue(json.writeValueAsString(login.withTokens("a2", "r2", 9)), LoginCredentials.class);
        assertEquals(login.relays(), refreshed.relays());
        assertEquals("/etc/zerogate/ca.pem", refreshed.caFile());
        assertTrue(refreshed.insecureHttp());
        assertTrue(refreshed.fromDiscovery());
        assertEquals("r2", refreshed.refreshToken());
    }

    @Test
    void credentialsNeverShowTheirTokens() {
        assertFalse(login("http://127.0.0.1:7401", null).toString().contains("refresh"));
    }
}
