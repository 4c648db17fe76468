package dev.zerogate.edge;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.zerogate.testkit.tls.TestWebPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The discovery fetch over real TLS on 127.0.0.1, with certificates from a private test CA. */
class TrustMaterialTest {

    static final String KEY = "ZQe0kAmJpB1m2mnk4Nn0fyFL2PU6OHLBzQ2sYJBSeWw";

    @TempDir
    Path dir;
    HttpsServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    int serve(TestWebPki.ServerCertificate certificate, String document) throws Exception {
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        server.setHttpsConfigurator(new HttpsConfigurator(certificate.serverContext()));
        server.createContext(DeploymentConfiguration.PATH, exchange -> {
            byte[] body = document.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server.getAddress().getPort();
    }

    static String document(String base) {
        return "{\"issuer\":\"" + base + "\",\"identity_url\":\"" + base + "\",\"policy_url\":\"" + base + "\","
                + "\"relays\":[{\"url\":\"https://relay.example.com:7405\",\"preamble_key\":\"" + KEY + "\"}],"
                + "\"tunnel_protocol_versions\":[1]}";
    }

    @Test
    void trustsAPrivateCaFromTheCaFile() throws Exception {
        TestWebPki ca = new TestWebPki("private CA");
        int port = serve(ca.issue("localhost"), document("https://localhost:" + 1));
        TrustMaterial trust = TrustMaterial.systemAnd(Optional.of(ca.writePem(dir.resolve("ca.pem"))));
        DeploymentConfiguration configuration = new DiscoveryClient(trust, UrlPolicy.STRICT)
                .fetch("https://localhost:" + port, "ZEROGATE_URL");
        assertEquals("https://localhost:1", configuration.policyUrl().toString());
        assertEquals(List.of(new PublishedRelay(java.net.URI.create("https://relay.example.com:7405"), KEY)), configuration.relays());
        assertEquals(List.of(1), configuration.tunnelProtocolVersions());
    }

    @Test
    void namesAnUntrustedIssuerAndTheCaFileVariable() throws Exception {
        TestWebPki ca = new TestWebPki("private CA");
        int port = serve(ca.issue("localhost"), document("https://localhost"));
        IOException e = assertThrows(IOException.class, () -> new DiscoveryClient(TrustMaterial.systemAnd(Optional.empty()), UrlPolicy.STRICT)
                .fetch("https://localhost:" + port, "ZEROGATE_URL"));
        assertTrue(e.getMessage().contains("the certificate of localhost is not signed by a CA this machine trusts; for a private CA set ZEROGATE_CA_FILE"),
                e.getMessage());
    }

    @Test
    void namesTheNameACertificateIsForWhenItIsAnother() throws Exception {
        TestWebPki ca = new TestWebPki("private CA");
        int port = serve(ca.issue("zg.example.com"), document("https://localhost"));
        TrustMaterial trust = TrustMaterial.systemAnd(Optional.of(ca.writePem(dir.resolve("ca.pem"))));
        IOException e = assertThrows(IOException.class, () -> new DiscoveryClient(trust, UrlPolicy.STRICT)
                .fetch("https://localhost:" + port, "ZEROGATE_URL"));
        assertTrue(e.getMessage().contains("the certificate of localhost is for zg.example.com"), e.getMessage());
    }

    @Test
    void namesTheDateAnExpiredCertificateEnded() throws Exception {
        TestWebPki ca = new TestWebPki("private CA");
        Instant ended = Instant.parse("2025-01-02T03:04:05Z");
        int port = serve(ca.issue(ended.minusSeconds(86400), ended, "localhost"), document("https://localhost"));
        TrustMaterial trust = TrustMaterial.systemAnd(Optional.of(ca.writePem(dir.resolve("ca.pem"))));
        IOException e = assertThrows(IOException.class, () -> new DiscoveryClient(trust, UrlPolicy.STRICT)
                .fetch("https://localhost:" + port, "ZEROGATE_URL"));
        assertTrue(e.getMessage().contains("the certificate of localhost expired on 2025-01-02T03:04:05Z"), e.getMessage());
    }

    @Test
    void refusesADocumentThatPublishesPlainHttpOffLoopback() throws Exception {
        TestWebPki ca = new TestWebPki("private CA");
        int port = serve(ca.issue("localhost"), document("http://zg.example.com"));
        TrustMaterial trust = TrustMaterial.systemAnd(Optional.of(ca.writePem(dir.resolve("ca.pem"))));
        IOException e = assertThrows(IOException.class, () -> new DiscoveryClient(trust, UrlPolicy.STRICT)
                .fetch("https://localhost:" + port, "ZEROGATE_URL"));
        assertTrue(e.getMessage().contains("the discovery document's identity_url http://zg.example.com is plain http://"), e.getMessage());
    }

    @Test
    void namesACaFileThatHoldsNoCertificate() throws Exception {
        Path file = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
        IOException e = assertThrows(IOException.class, () -> TrustMaterial.systemAnd(Optional.of(file)));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("ZEROGATE_CA_FILE"), e.getMessage());
    }
}
