package dev.zerogate.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyEndpointTest {

    static Credentials login(String server, String policyUrl) {
        return new Credentials(server, "a.b.c", "refresh", 0, policyUrl);
    }

    @Test
    void theOptionWinsOverTheEnvironmentWhichWinsOverTheSavedUrl() throws Exception {
        Credentials saved = login("https://id.example.com", "https://saved.example.com");
        assertEquals("https://option.example.com", PolicyEndpoint.resolve("https://option.example.com/", "http://env:1", saved));
        assertEquals("http://env:1", PolicyEndpoint.resolve(null, "http://env:1", saved));
        assertEquals("https://saved.example.com", PolicyEndpoint.resolve(null, " ", saved));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:7401", "http://127.0.0.1:7401/", "http://localhost:7401"})
    void aLocalRunDefaultsToPolicySvcNextToIdentitySvc(String identity) throws Exception {
        assertEquals("http://127.0.0.1:7402", PolicyEndpoint.resolve(null, null, login(identity, null)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://id.example.com", "http://127.0.0.1:8401", "https://127.0.0.1:7401", "http://10.0.0.2:7401"})
    void anyOtherServerRequiresTheUrlToBeGiven(String identity) {
        PolicyEndpoint.UnknownException refused = assertThrows(PolicyEndpoint.UnknownException.class,
                () -> PolicyEndpoint.resolve(null, null, login(identity, null)));
        assertTrue(refused.getMessage().contains("--policy-url URL") && refused.getMessage().contains("ZEROGATE_POLICY_URL"),
                refused.getMessage());
        assertTrue(refused.getMessage().contains(identity), refused.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:7402", "grpc://127.0.0.1:7402", "http://127.0.0.1:7402/policy", "http://", "http://h:1?x=1",
            "not a url"})
    void refusesWhatIsNotAHttpOrHttpsUrlOfAHost(String url) {
        PolicyEndpoint.UnknownException refused = assertThrows(PolicyEndpoint.UnknownException.class,
                () -> PolicyEndpoint.resolve(url, null, login("http://127.0.0.1:7401", null)));
        assertTrue(refused.getMessage().startsWith("--policy-url '" + url + "'"), refused.getMessage());
    }

    @Test
    void acceptsIpv6LiteralsAndDefaultPorts() throws Exception {
        assertEquals("http://[::1]:7402", PolicyEndpoint.validate("http://[::1]:7402", "x"));
        assertEquals("https://policy.example.com", PolicyEndpoint.validate("https://policy.example.com", "x"));
    }

    @Test
    void credentialsOfOlderVersionsLoadWithoutAPolicyUrlAndNoneIsWrittenUntilGiven() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Credentials old = json.readValue("{\"server\":\"http://127.0.0.1:7401\",\"access_token\":\"a\",\"refresh_token\":\"r\","
                + "\"access_token_expires_at\":5}", Credentials.class);
        assertNull(old.policyUrl());
        assertFalse(json.writeValueAsString(old).contains("policy_url"));
        Credentials saved = json.readValue(json.writeValueAsString(old.withPolicyUrl("http://p:1")), Credentials.class);
        assertEquals("http://p:1", saved.policyUrl());
        assertEquals("r", saved.refreshToken());
    }

    @Test
    void credentialsNeverShowTheirTokens() {
        assertFalse(login("http://127.0.0.1:7401", null).toString().contains("refresh"));
    }
}
