package dev.zerogate.client.login;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

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
    void credentialsNeverShowTheirTokens() {
        assertFalse(login("http://127.0.0.1:7401", null).toString().contains("refresh"));
    }
}
