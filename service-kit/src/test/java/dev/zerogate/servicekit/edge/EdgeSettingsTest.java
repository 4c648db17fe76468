package dev.zerogate.servicekit.edge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EdgeSettingsTest {

    @TempDir
    Path dir;

    private static Map<String, String> properties(Map<String, String> settings) {
        return EdgeSettings.quarkusProperties(name -> Optional.ofNullable(settings.get(name)), Map.of());
    }

    private Path pem(String name) throws IOException {
        return Files.writeString(dir.resolve(name), "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n");
    }

    @Test
    void setsNothingWithoutSettings() {
        assertEquals(Map.of(), properties(Map.of()));
    }

    @Test
    void certAndKeyMakeTheHttpPortTlsOnly() throws IOException {
        Map<String, String> p = properties(Map.of(EdgeSettings.TLS_CERT, pem("fullchain.pem").toString(),
                EdgeSettings.TLS_KEY, pem("privkey.pem").toString()));
        assertEquals(dir.resolve("fullchain.pem").toString(), p.get("quarkus.tls.zerogate-edge.key-store.pem.edge.cert"));
        assertEquals(dir.resolve("privkey.pem").toString(), p.get("quarkus.tls.zerogate-edge.key-store.pem.edge.key"));
        assertEquals("zerogate-edge", p.get("quarkus.http.tls-configuration-name"));
        assertEquals("disabled", p.get("quarkus.http.insecure-requests"));
        assertEquals("${quarkus.http.port}", p.get("quarkus.http.ssl-port"));
        assertEquals("1m", p.get(EdgeSettings.TLS_RELOAD_PERIOD));
    }

    @Test
    void refusesACertWithoutAKeyNamingTheMissingVariable() throws IOException {
        String cert = pem("fullchain.pem").toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> properties(Map.of(EdgeSettings.TLS_CERT, cert)));
        assertTrue(e.getMessage().contains("ZEROGATE_TLS_KEY is not"), e.getMessage());
    }

    @Test
    void refusesAKeyWithoutACertNamingTheMissingVariable() throws IOException {
        String key = pem("privkey.pem").toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> properties(Map.of(EdgeSettings.TLS_KEY, key)));
        assertTrue(e.getMessage().contains("ZEROGATE_TLS_CERT is not"), e.getMessage());
    }

    @Test
    void refusesAnUnreadableFileNamingIt() throws IOException {
        String missing = dir.resolve("no-such.pem").toString();
        String key = pem("privkey.pem").toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> properties(Map.of(EdgeSettings.TLS_CERT, missing, EdgeSettings.TLS_KEY, key)));
        assertTrue(e.getMessage().contains("ZEROGATE_TLS_CERT") && e.getMessage().contains(missing), e.getMessage());
    }

    @Test
    void refusesAFileWithoutPem() throws IOException {
        Path notPem = Files.writeString(dir.resolve("cert.der"), "not pem");
        String key = pem("privkey.pem").toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> properties(Map.of(EdgeSettings.TLS_CERT, notPem.toString(), EdgeSettings.TLS_KEY, key)));
        assertTrue(e.getMessage().contains("no PEM"), e.getMessage());
    }

    @Test
    void listenHostSetsTheBindAddress() {
        assertEquals(Map.of("quarkus.http.host", "0.0.0.0"), properties(Map.of(EdgeSettings.LISTEN_HOST, "0.0.0.0")));
    }

    @Test
    void trustedProxiesTurnOnForwardingForThoseAddressesOnly() {
        Map<String, String> p = properties(Map.of(EdgeSettings.TRUSTED_PROXIES, "10.0.0.5, 192.168.0.0/16"));
        assertEquals("true", p.get("quarkus.http.proxy.proxy-address-forwarding"));
        assertEquals("10.0.0.5,192.168.0.0/16", p.get("quarkus.http.proxy.trusted-proxies"));
        assertFalse(properties(Map.of()).containsKey("quarkus.http.proxy.proxy-address-forwarding"));
    }

    @Test
    void refusesAnEmptyProxyEntry() {
        assertThrows(IllegalArgumentException.class, () -> properties(Map.of(EdgeSettings.TRUSTED_PROXIES, "10.0.0.5,,")));
    }

    @Test
    void serviceAliasesMapOneToOne() {
        assertEquals(Map.of("zerogate.identity.issuer", "https://zg.example.com"), EdgeSettings.quarkusProperties(
                name -> Optional.ofNullable(Map.of("zerogate.public-url", "https://zg.example.com").get(name)),
                Map.of("zerogate.public-url", "zerogate.identity.issuer")));
    }
}
