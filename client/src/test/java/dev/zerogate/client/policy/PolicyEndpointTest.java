package dev.zerogate.client.policy;

import dev.zerogate.client.login.LoginCredentials;
import dev.zerogate.edge.UrlPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyEndpointTest {

    static LoginCredentials login(String policyUrl) {
        return new LoginCredentials("https://id.example.com", "a.b.c", "refresh", 0, policyUrl, List.of(), null, false);
    }

    @Test
    void theOptionWinsOverTheEnvironmentWhichWinsOverTheSavedUrl() throws Exception {
        LoginCredentials saved = login("https://saved.example.com");
        assertEquals("https://option.example.com", PolicyEndpoint.resolve("https://option.example.com/", "http://127.0.0.1:1", saved, UrlPolicy.STRICT));
        assertEquals("http://127.0.0.1:1", PolicyEndpoint.resolve(null, "http://127.0.0.1:1", saved, UrlPolicy.STRICT));
        assertEquals("https://saved.example.com", PolicyEndpoint.resolve(null, " ", saved, UrlPolicy.STRICT));
    }

    @Test
    void refusesPlainHttpOffLoopbackFromAnySourceUnlessAllowed() throws Exception {
        PolicyEndpoint.UnknownException refused = assertThrows(PolicyEndpoint.UnknownException.class,
                () -> PolicyEndpoint.resolve(null, "http://policy.example.com:7402", login(null), UrlPolicy.STRICT));
        assertTrue(refused.getMessage().startsWith("ZEROGATE_POLICY_URL http://policy.example.com:7402 is plain http://"), refused.getMessage());
        assertThrows(PolicyEndpoint.UnknownException.class,
                () -> PolicyEndpoint.resolve(null, null, login("http://policy.example.com"), UrlPolicy.STRICT));
        assertEquals("http://policy.example.com", PolicyEndpoint.resolve(null, null, login("http://policy.example.com"), new UrlPolicy(true)));
    }

    @Test
    void withoutAnySavedUrlSaysToLogInAgain() {
        PolicyEndpoint.UnknownException refused = assertThrows(PolicyEndpoint.UnknownException.class,
                () -> PolicyEndpoint.resolve(null, null, login(null), UrlPolicy.STRICT));
        assertTrue(refused.getMessage().contains("log in again"), refused.getMessage());
    }
}
