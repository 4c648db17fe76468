package dev.zerogate.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerOptionsTest {

    @TempDir
    Path dir;

    ServerOptions parse(Map<String, String> env, String... args) throws Exception {
        return ServerOptions.parse(List.of(args), env, dir, "java");
    }

    String[] withCertificate(String... more) throws Exception {
        Files.writeString(dir.resolve("fullchain.pem"), "x");
        Files.writeString(dir.resolve("privkey.pem"), "x");
        List<String> args = new ArrayList<>(List.of("--url", "https://zg.example.com", "--tls-cert", dir.resolve("fullchain.pem").toString(),
                "--tls-key", dir.resolve("privkey.pem").toString(), "--embedded-postgres", "--home", dir.resolve("home").toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void directlyEachServiceHasItsOwnTlsPortOnTheUrlsHost() throws Exception {
        ServerOptions options = parse(Map.of(), withCertificate());
        assertEquals(443, options.identityPort());
        assertEquals("0.0.0.0", options.listenHost());
        assertEquals("https://zg.example.com", options.base());
        assertEquals("https://zg.example.com:7402", options.clientPolicyUrl());
        assertEquals("https://zg.example.com:7405", options.clientRelayUrl());
        assertEquals("https://zg.example.com:7402", options.internalUrl(options.policyPort()));
    }

    @Test
    void behindAProxyEverythingIsTheOneUrlAndTheServicesListenOnLoopbackInPlaintext() throws Exception {
        ServerOptions options = parse(Map.of(), "--url", "https://zg.example.com", "--behind-proxy", "--embedded-postgres");
        assertEquals(7401, options.identityPort());
        assertEquals("127.0.0.1", options.listenHost());
        assertEquals("https://zg.example.com", options.clientPolicyUrl());
        assertEquals("https://zg.example.com", options.clientRelayUrl());
        assertEquals("http://127.0.0.1:7401", options.internalUrl(options.identityPort()));
    }

    @Test
    void anHttpsUrlWithoutACertificateOrAProxyIsRefused() {
        var refused = assertThrows(ServerOptions.UsageException.class,
                () -> parse(Map.of(), "--url", "https://zg.example.com", "--embedded-postgres"));
        assertTrue(refused.getMessage().contains("--tls-cert"), refused.getMessage());
    }

    @Test
    void plaintextOffLoopbackIsRefusedOnLoopbackAllowed() throws Exception {
        var refused = assertThrows(ServerOptions.UsageException.class,
                () -> parse(Map.of(), "--url", "http://zg.example.com", "--embedded-postgres"));
        assertTrue(refused.getMessage().contains("in clear"), refused.getMessage());
        ServerOptions local = parse(Map.of(), "--url", "http://127.0.0.1:7401", "--embedded-postgres");
        assertEquals("http://127.0.0.1:7402", local.clientPolicyUrl());
        assertEquals("http://127.0.0.1:7401", local.internalUrl(7401));
    }

    @Test
    void aCertificateWithoutItsKeyIsRefusedNamingTheMissingOne() throws Exception {
        Files.writeString(dir.resolve("fullchain.pem"), "x");
        var refused = assertThrows(ServerOptions.UsageException.class, () -> parse(Map.of(), "--url", "https://zg.example.com",
                "--tls-cert", dir.resolve("fullchain.pem").toString(), "--embedded-postgres"));
        assertTrue(refused.getMessage().contains("not --tls-key"), refused.getMessage());
        var unreadable = assertThrows(ServerOptions.UsageException.class, () -> parse(Map.of(), "--url", "https://zg.example.com",
                "--tls-cert", dir.resolve("fullchain.pem").toString(), "--tls-key", dir.resolve("nope.pem").toString(), "--embedded-postgres"));
        assertTrue(unreadable.getMessage().contains("nope.pem cannot be read"), unreadable.getMessage());
    }

    @Test
    void withoutEmbeddedPostgresBothDatabaseUrlsAreNeeded() throws Exception {
        String[] args = withCertificate();
        List<String> noEmbedded = new ArrayList<>(List.of(args));
        noEmbedded.remove("--embedded-postgres");
        var refused = assertThrows(ServerOptions.UsageException.class, () -> parse(Map.of(), noEmbedded.toArray(String[]::new)));
        assertTrue(refused.getMessage().contains("ZEROGATE_IDENTITY_DATABASE_URL"), refused.getMessage());

        ServerOptions options = parse(Map.of(
                "ZEROGATE_IDENTITY_DATABASE_URL", "postgresql://zg_id:p%40ss:w0rd@db.internal:5433/zerogate_identity?sslmode=require",
                "ZEROGATE_POLICY_DATABASE_URL", "postgresql://zg_pol:secret@db.internal/zerogate_policy"), noEmbedded.toArray(String[]::new));
        Map<String, String> identity = options.databases().get("zerogate_identity").environment();
        assertEquals("postgresql://db.internal:5433/zerogate_identity?sslmode=require", identity.get("QUARKUS_DATASOURCE_REACTIVE_URL"));
        assertEquals("jdbc:postgresql://db.internal:5433/zerogate_identity?sslmode=require", identity.get("QUARKUS_DATASOURCE_JDBC_URL"));
        assertEquals("zg_id", identity.get("QUARKUS_DATASOURCE_USERNAME"));
        assertEquals("p@ss:w0rd", identity.get("QUARKUS_DATASOURCE_PASSWORD"));
        assertFalse(options.databases().get("zerogate_identity").toString().contains("p@ss"), "a database URL's text names its password");
        assertEquals("postgresql://db.internal:5432/zerogate_policy",
                options.databases().get("zerogate_policy").environment().get("QUARKUS_DATASOURCE_REACTIVE_URL"));
    }

    @Test
    void aDatabaseUrlWithoutPasswordIsRefused() throws Exception {
        String[] args = withCertificate();
        List<String> noEmbedded = new ArrayList<>(List.of(args));
        noEmbedded.remove("--embedded-postgres");
        var refused = assertThrows(ServerOptions.UsageException.class, () -> parse(Map.of(
                "ZEROGATE_IDENTITY_DATABASE_URL", "postgresql://db.internal/zerogate_identity",
                "ZEROGATE_POLICY_DATABASE_URL", "postgresql://u:p@db.internal/zerogate_policy"), noEmbedded.toArray(String[]::new)));
        assertTrue(refused.getMessage().contains("role and its password"), refused.getMessage());
    }

    @Test
    void theUrlIsAHostAndPortOnly() {
        for (String url : List.of("https://zg.example.com/zerogate", "ftp://zg.example.com", "https://u@zg.example.com", "zg.example.com")) {
            assertThrows(ServerOptions.UsageException.class, () -> parse(Map.of(), "--url", url, "--behind-proxy", "--embedded-postgres"), url);
        }
    }

    @Test
    void portsMustDiffer() throws Exception {
        var refused = assertThrows(ServerOptions.UsageException.class, () -> parse(Map.of(), withCertificate("--policy-port", "443")));
        assertTrue(refused.getMessage().contains("different ports"), refused.getMessage());
    }
}
