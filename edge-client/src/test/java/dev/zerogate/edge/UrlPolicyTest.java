package dev.zerogate.edge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UrlPolicyTest {

    @ParameterizedTest
    @CsvSource({
            "localhost,true", "LOCALHOST,true", "127.0.0.1,true", "127.255.3.9,true", "[::1],true", "[0:0:0:0:0:0:0:1],true",
            "128.0.0.1,false", "127.0.0.1.example.com,false", "127.0.0,false", "localhost.example.com,false",
            "[::ffff:127.0.0.1],false", "10.0.0.1,false", "zg.example.com,false", "127.0.0.256,false",
    })
    void loopbackIsLiteralLoopbackOrLocalhostOnly(String host, boolean loopback) {
        assertEquals(loopback, UrlPolicy.isLoopback(host));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://zg.example.com", "http://10.1.2.3:7401", "HTTP://zg.example.com/", "http://[::ffff:127.0.0.1]:7401"})
    void refusesPlainHttpOffLoopbackSayingHowToOverride(String url) {
        UrlPolicy.RefusedUrlException e = assertThrows(UrlPolicy.RefusedUrlException.class, () -> UrlPolicy.STRICT.check(url, "ZEROGATE_URL"));
        assertTrue(e.getMessage().startsWith("ZEROGATE_URL http://"), e.getMessage());
        assertTrue(e.getMessage().contains("in clear") && e.getMessage().contains("--insecure-http")
                && e.getMessage().contains("ZEROGATE_INSECURE_HTTP=true"), e.getMessage());
    }

    @Test
    void acceptsHttpsAnywhereHttpOnLoopbackAndHttpAnywhereWhenAllowed() {
        assertEquals("https://zg.example.com", UrlPolicy.STRICT.check("https://zg.example.com/", "x").toString());
        assertEquals("http://127.0.0.1:7401", UrlPolicy.STRICT.check("http://127.0.0.1:7401", "x").toString());
        assertEquals("http://zg.lab:7401", UrlPolicy.fromEnvironment("true").check("http://zg.lab:7401", "x").toString());
        assertEquals("http://zg.lab:7401", UrlPolicy.STRICT.or(true).check("http://zg.lab:7401", "x").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://zg.example.com", "https://zg.example.com/path", "https://user@zg.example.com", "zg.example.com", ""})
    void refusesWhatIsNotABaseUrl(String url) {
        assertThrows(UrlPolicy.RefusedUrlException.class, () -> UrlPolicy.STRICT.check(url, "x"));
    }

    @Test
    void sendsNothingToARefusedUrl() throws Exception {
        // [::ffff:127.0.0.1] reaches this socket if dialled, but is not a loopback literal the policy knows.
        try (ServerSocket listening = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"))) {
            listening.setSoTimeout(500);
            DiscoveryClient client = new DiscoveryClient(TrustMaterial.systemAnd(java.util.Optional.empty()), UrlPolicy.STRICT);
            assertThrows(UrlPolicy.RefusedUrlException.class,
                    () -> client.fetch("http://[::ffff:127.0.0.1]:" + listening.getLocalPort(), "ZEROGATE_URL"));
            assertThrows(SocketTimeoutException.class, listening::accept);
        }
    }
}
