package dev.zerogate.client.policy;

import dev.zerogate.client.login.LoginCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyEndpointTest {

    static LoginCredentials login(String server, String policyUrl) {
        return new LoginCredentials(server, "a.b.c", "refresh", 0, policyUrl);
    }

    @Test
    void theOptionWinsOverTheEnvironmentWhichWinsOverTheSavedUrl() throws Exception {
        LoginCredentials saved = login("https://id.example.com", "https://saved.example.com");
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
}
