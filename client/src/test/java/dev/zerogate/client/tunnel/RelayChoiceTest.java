package dev.zerogate.client.tunnel;

import dev.zerogate.client.login.ClientAccess;
import dev.zerogate.client.login.LoginCredentials;
import dev.zerogate.client.policy.PolicyEndpoint;
import dev.zerogate.edge.TrustMaterial;
import dev.zerogate.edge.UrlPolicy;
import dev.zerogate.tunnel.RelayKey;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RelayChoiceTest {

    static final String KEY_A = RelayKey.generate().publicText();
    static final String KEY_B = RelayKey.generate().publicText();

    static LoginCredentials login(List<LoginCredentials.SavedRelay> relays) {
        return new LoginCredentials("https://zg.example.com", "a.b.c", "r", 0, "https://zg.example.com", relays, null, false);
    }

    static ClientAccess strict() throws Exception {
        return new ClientAccess(TrustMaterial.systemAnd(Optional.empty()), UrlPolicy.STRICT);
    }

    @Test
    void refusesARelayTheDeploymentDoesNotPublishNamingThePublishedOnes() throws Exception {
        LoginCredentials saved = login(List.of(new LoginCredentials.SavedRelay("https://relay-a.example.com:7405", KEY_A)));
        PolicyEndpoint.UnknownException e = assertThrows(PolicyEndpoint.UnknownException.class,
                () -> RelayChoice.of(saved, "https://evil.example.com:7405", null, strict()));
        assertTrue(e.getMessage().startsWith("--relay-url https://evil.example.com:7405 is not a relay this deployment publishes"
                + " (https://relay-a.example.com:7405)"), e.getMessage());
    }

    @Test
    void choosesAmongThePublishedRelaysWithTheirPublishedKeys() throws Exception {
        LoginCredentials saved = login(List.of(new LoginCredentials.SavedRelay("https://relay-a.example.com:7405", KEY_A),
                new LoginCredentials.SavedRelay("https://relay-b.example.com:7405", KEY_B)));
        RelayChoice chosen = RelayChoice.of(saved, null, "https://relay-b.example.com:7405/", strict());
        assertEquals(1, chosen.published().size());
        assertEquals(KEY_B, chosen.published().get(0).key().publicText());
        assertEquals("relay-b.example.com", chosen.published().get(0).outerTls().serverName());
    }

    @Test
    void credentialsWithoutRelaysSayToLogInAgain() {
        LoginCredentials old = new LoginCredentials("http://127.0.0.1:7401", "a.b.c", "r", 0, null);
        PolicyEndpoint.UnknownException e = assertThrows(PolicyEndpoint.UnknownException.class,
                () -> RelayChoice.of(old, null, null, strict()));
        assertEquals(LoginCredentials.LOG_IN_AGAIN, e.getMessage());
    }

    @Test
    void refusesAPublishedPlainHttpRelayOffLoopback() {
        LoginCredentials saved = login(List.of(new LoginCredentials.SavedRelay("http://relay.example.com:7405", KEY_A)));
        PolicyEndpoint.UnknownException e = assertThrows(PolicyEndpoint.UnknownException.class,
                () -> RelayChoice.of(saved, null, null, strict()));
        assertTrue(e.getMessage().contains("is plain http://"), e.getMessage());
    }

    @Test
    void putsTheRelayThatAnswersFirstAndOneThatDoesNotLast() throws Exception {
        int closed;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = gone.getLocalPort();
        }
        try (ServerSocket answering = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"))) {
            LoginCredentials saved = login(List.of(new LoginCredentials.SavedRelay("http://127.0.0.1:" + closed, KEY_A),
                    new LoginCredentials.SavedRelay("http://127.0.0.1:" + answering.getLocalPort(), KEY_B)));
            RelayChoice choice = RelayChoice.of(saved, null, null, strict());
            List<RelayChoice.Relay> order = choice.ordered().get(10, TimeUnit.SECONDS);
            assertEquals(List.of(KEY_B, KEY_A), order.stream().map(relay -> relay.key().publicText()).toList());
            assertEquals("http://127.0.0.1:" + answering.getLocalPort(), choice.current());
        }
    }
}
