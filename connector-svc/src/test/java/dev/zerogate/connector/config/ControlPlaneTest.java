package dev.zerogate.connector.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ControlPlaneTest {

    @ParameterizedTest(name = "{0} → policy {1}, relay {2}")
    @CsvSource({
            // identity on the default port: policy and relay beside it
            "http://127.0.0.1:7401,       http://127.0.0.1:7402,      http://127.0.0.1:7405",
            "https://zg.example.com:7401/, https://zg.example.com:7402, https://zg.example.com:7405",
            "HTTP://pi.lan:7401,           http://pi.lan:7402,          http://pi.lan:7405",
            // any other port: one URL for everything (a proxy routing by gRPC service)
            "https://zg.example.com,      https://zg.example.com,     https://zg.example.com",
            "http://127.0.0.1:17401,      http://127.0.0.1:17401,     http://127.0.0.1:17401",
            "http://[::1]:7401,           http://[::1]:7402,          http://[::1]:7405",
    })
    void derivesPolicyAndRelayFromTheIdentityUrl(String identity, String policy, String relay) {
        ControlPlane plane = ControlPlane.derive(identity, Optional.empty(), Optional.empty());
        assertEquals(URI.create(policy), plane.policy());
        assertEquals(List.of(URI.create(relay)), plane.relays());
    }

    @Test
    void explicitPolicyAndRelaysWin() {
        ControlPlane plane = ControlPlane.derive("https://id.example.com:7401", Optional.of("https://policy.example.com"),
                Optional.of(List.of("https://relay-1.example.com:8443", " https://relay-2.example.com ", "")));
        assertEquals(URI.create("https://id.example.com:7401"), plane.identity());
        assertEquals(URI.create("https://policy.example.com"), plane.policy());
        assertEquals(List.of(URI.create("https://relay-1.example.com:8443"), URI.create("https://relay-2.example.com")), plane.relays());
    }

    @Test
    void blankOverridesCountAsUnset() {
        ControlPlane plane = ControlPlane.derive("http://10.0.0.2:7401", Optional.of(" "), Optional.of(List.of(" ")));
        assertEquals(URI.create("http://10.0.0.2:7402"), plane.policy());
        assertEquals(List.of(URI.create("http://10.0.0.2:7405")), plane.relays());
    }

    @ParameterizedTest
    @CsvSource({
            "ftp://zg.example.com,           ZEROGATE_URL must be an http:// or https:// URL",
            "zg.example.com:7401,            ZEROGATE_URL must be an http:// or https:// URL",
            "https://user:pw@zg.example.com, ZEROGATE_URL must not carry user info",
            "https://zg.example.com/?a=b,    ZEROGATE_URL must not carry user info, a query",
            "http://bad host,                ZEROGATE_URL is not a URL",
    })
    void rejectsWhatIsNotAnHttpUrlNamingTheVariable(String url, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ControlPlane.derive(url, Optional.empty(), Optional.empty()));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void aBadRelayUrlNamesZerogateRelays() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ControlPlane.derive("http://127.0.0.1:7401", Optional.empty(), Optional.of(List.of("relay.lan:7405"))));
        assertTrue(e.getMessage().startsWith("ZEROGATE_RELAYS"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
            "https://zg.example.com,      zg.example.com, 443, true",
            "http://zg.example.com,       zg.example.com, 80,  false",
            "http://[::1]:7401,           ::1,            7401, false",
    })
    void dialsHostPortAndTransportOfTheUrl(String url, String host, int port, boolean tls) {
        URI uri = ControlPlane.derive(url, Optional.empty(), Optional.empty()).identity();
        assertEquals(host, ControlPlane.host(uri));
        assertEquals(port, ControlPlane.port(uri));
        assertEquals(tls, ControlPlane.tls(uri));
    }
}
