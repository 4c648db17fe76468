package dev.zerogate.connector.config;

import com.sun.net.httpserver.HttpServer;
import dev.zerogate.edge.DeploymentConfiguration;
import dev.zerogate.edge.PublishedRelay;
import dev.zerogate.tunnel.RelayKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The connector's control plane from ZEROGATE_URL alone, against a real HTTP server on 127.0.0.1 serving the discovery document. */
class ControlPlaneTest {

    static final String KEY_A = RelayKey.generate().publicText();
    static final String KEY_B = RelayKey.generate().publicText();

    HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    String serve(String policyUrl, String relaysJson) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        byte[] body = ("{\"issuer\":\"" + base + "\",\"identity_url\":\"" + base + "\",\"policy_url\":\"" + policyUrl
                + "\",\"relays\":" + relaysJson + ",\"tunnel_protocol_versions\":[1]}").getBytes(StandardCharsets.UTF_8);
        server.createContext(DeploymentConfiguration.PATH, exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return base;
    }

    static String relays() {
        return "[{\"url\":\"http://127.0.0.1:7405\",\"preamble_key\":\"" + KEY_A + "\"},"
                + "{\"url\":\"https://relay-b.example.com\",\"preamble_key\":\"" + KEY_B + "\"}]";
    }

    @Test
    void takesPolicyAndRelaysWithTheirKeysFromTheDiscoveryDocument() throws Exception {
        String base = serve("http://127.0.0.1:7402", relays());
        ControlPlane plane = ControlPlane.configure(base, Optional.empty(), Optional.empty(), Optional.empty(), false);
        ControlPlane.Endpoints endpoints = plane.endpoints(plane.discover());
        assertEquals(URI.create("http://127.0.0.1:7402"), endpoints.policy());
        assertEquals(List.of(new PublishedRelay(URI.create("http://127.0.0.1:7405"), KEY_A),
                new PublishedRelay(URI.create("https://relay-b.example.com"), KEY_B)), endpoints.relays());
    }

    @Test
    void overridesReplaceThePolicyUrlAndPickAmongThePublishedRelaysKeepingTheirKeys() throws Exception {
        String base = serve("http://127.0.0.1:7402", relays());
        ControlPlane plane = ControlPlane.configure(base, Optional.of("http://127.0.0.1:17402"),
                Optional.of(List.of(" https://relay-b.example.com:443/ ")), Optional.empty(), false);
        ControlPlane.Endpoints endpoints = plane.endpoints(plane.discover());
        assertEquals(URI.create("http://127.0.0.1:17402"), endpoints.policy());
        assertEquals(List.of(new PublishedRelay(URI.create("https://relay-b.example.com"), KEY_B)), endpoints.relays());
    }

    @Test
    void refusesAnOverrideRelayTheDeploymentDoesNotPublish() throws Exception {
        String base = serve("http://127.0.0.1:7402", relays());
        ControlPlane plane = ControlPlane.configure(base, Optional.empty(), Optional.of(List.of("http://127.0.0.1:9999")), Optional.empty(), false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plane.endpoints(plane.discover()));
        assertTrue(e.getMessage().startsWith("ZEROGATE_RELAYS names http://127.0.0.1:9999, which the deployment does not publish"), e.getMessage());
    }

    @Test
    void refusesPlainHttpOffLoopbackNamingTheVariableAndTheOverride() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ControlPlane.configure("http://zg.example.com", Optional.empty(), Optional.empty(), Optional.empty(), false));
        assertTrue(e.getMessage().startsWith("ZEROGATE_URL http://zg.example.com is plain http://"), e.getMessage());
        assertTrue(e.getMessage().contains("ZEROGATE_INSECURE_HTTP=true"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ControlPlane.configure("https://zg.example.com",
                Optional.of("http://policy.example.com"), Optional.empty(), Optional.empty(), false));
    }

    @Test
    void sendsNothingToARefusedUrl() throws Exception {
        // [::ffff:127.0.0.1] would reach this socket, but it is no loopback literal the policy accepts.
        try (ServerSocket listening = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"))) {
            listening.setSoTimeout(500);
            assertThrows(IllegalArgumentException.class, () -> ControlPlane.configure("http://[::ffff:127.0.0.1]:" + listening.getLocalPort(),
                    Optional.empty(), Optional.empty(), Optional.empty(), false));
            assertThrows(SocketTimeoutException.class, listening::accept);
        }
    }

    @Test
    void refusesADocumentThatPublishesPlainHttpOffLoopbackUnlessAllowed() throws Exception {
        String base = serve("http://policy.example.com:7402", "[]");
        ControlPlane strict = ControlPlane.configure(base, Optional.empty(), Optional.empty(), Optional.empty(), false);
        java.io.IOException e = assertThrows(java.io.IOException.class, strict::discover);
        assertTrue(e.getMessage().contains("policy_url http://policy.example.com:7402 is plain http://"), e.getMessage());
        ControlPlane lab = ControlPlane.configure(base, Optional.empty(), Optional.empty(), Optional.empty(), true);
        assertEquals(URI.create("http://policy.example.com:7402"), lab.endpoints(lab.discover()).policy());
    }

    @Test
    void namesAnUnreadableCaFile() {
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> ControlPlane.configure("https://zg.example.com",
                Optional.empty(), Optional.empty(), Optional.of("/nonexistent/ca.pem"), false));
        assertTrue(e.getMessage().contains("/nonexistent/ca.pem") && e.getMessage().contains("ZEROGATE_CA_FILE"), e.getMessage());
    }
}
