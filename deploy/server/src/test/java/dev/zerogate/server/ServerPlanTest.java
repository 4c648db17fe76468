package dev.zerogate.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerPlanTest {

    @TempDir
    Path dir;

    ServerPlan plan(String... extra) throws Exception {
        Files.writeString(dir.resolve("fullchain.pem"), "x");
        Files.writeString(dir.resolve("privkey.pem"), "x");
        List<String> args = new java.util.ArrayList<>(List.of("--url", "https://zg.example.com", "--embedded-postgres",
                "--home", dir.resolve("home").toString()));
        args.addAll(List.of(extra));
        return new ServerPlan(ServerOptions.parse(args, Map.of(), dir, "java"));
    }

    void keys(ServerPlan plan) throws IOException {
        Files.createDirectories(plan.secretsDir());
        Files.writeString(plan.secretsDir().resolve("policy-svc.client"), "account_id=a-policy\nkey_id=k-policy\nsecret=zgsk_p\n");
        Files.writeString(plan.secretsDir().resolve("relay-svc.client"), "account_id=a-relay\nkey_id=k-relay\nsecret=zgsk_r\n");
    }

    @Test
    void identityPublishesThePolicyUrlAndTheRelayWithItsKey() throws Exception {
        ServerPlan plan = plan("--tls-cert", dir.resolve("fullchain.pem").toString(), "--tls-key", dir.resolve("privkey.pem").toString());
        Map<String, String> env = plan.identity(Map.of("QUARKUS_DATASOURCE_USERNAME", "zerogate_identity"), "KEY");
        assertEquals("https://zg.example.com", env.get("ZEROGATE_PUBLIC_URL"));
        assertEquals("https://zg.example.com:7402", env.get("ZEROGATE_PUBLIC_POLICY_URL"));
        assertEquals("https://zg.example.com:7405#KEY", env.get("ZEROGATE_PUBLIC_RELAYS"));
        assertEquals("443", env.get("QUARKUS_HTTP_PORT"));
        assertEquals(dir.resolve("fullchain.pem").toString(), env.get("ZEROGATE_TLS_CERT"));
        assertEquals(plan.secretsDir().toString(), env.get("ZEROGATE_IDENTITY_BOOTSTRAP_SECRETS_DIR"));
        assertFalse(env.containsKey("ZEROGATE_TRUSTED_PROXIES"), "a direct install trusts no proxy");
        assertEquals("zerogate_identity", env.get("QUARKUS_DATASOURCE_USERNAME"));
    }

    @Test
    void policyAndTheRelayGetTheirOwnServiceAccountKeysAndCallTheOthersByThePublicName() throws Exception {
        ServerPlan plan = plan("--tls-cert", dir.resolve("fullchain.pem").toString(), "--tls-key", dir.resolve("privkey.pem").toString());
        keys(plan);
        Map<String, String> policy = plan.policy(Map.of());
        assertEquals("k-policy", policy.get("ZEROGATE_POLICY_IDENTITY_CLIENT_ID"));
        assertEquals("zgsk_p", policy.get("ZEROGATE_POLICY_IDENTITY_CLIENT_SECRET"));
        assertEquals("a-relay", policy.get("ZEROGATE_POLICY_STREAM_RELAY_SERVICE_ACCOUNTS"));
        assertEquals("https://zg.example.com:443", policy.get("ZEROGATE_POLICY_IDENTITY_URL"));
        assertEquals("https://zg.example.com", policy.get("ZEROGATE_POLICY_IDENTITY_ISSUER"));
        Map<String, String> relay = plan.relay();
        assertEquals("k-relay", relay.get("ZEROGATE_RELAY_IDENTITY_CLIENT_ID"));
        assertEquals("127.0.0.1", relay.get("QUARKUS_HTTP_HOST"));
        assertEquals("0.0.0.0", relay.get("ZEROGATE_RELAY_HOST"));
        assertEquals("https://zg.example.com:7402", relay.get("ZEROGATE_RELAY_POLICY_URL"));
        assertEquals("https://zg.example.com:7405", relay.get("ZEROGATE_RELAY_PUBLIC_URL"));
    }

    @Test
    void behindAProxyTheServicesTrustOnlyThisHostsProxy() throws Exception {
        ServerPlan plan = plan("--behind-proxy");
        keys(plan);
        assertEquals("127.0.0.1,::1", plan.identity(Map.of(), "KEY").get("ZEROGATE_TRUSTED_PROXIES"));
        assertEquals("https://zg.example.com#KEY", plan.identity(Map.of(), "KEY").get("ZEROGATE_PUBLIC_RELAYS"));
        assertEquals("127.0.0.1,::1", plan.relay().get("ZEROGATE_TRUSTED_PROXIES"));
        assertEquals("http://127.0.0.1:7401", plan.relay().get("ZEROGATE_RELAY_IDENTITY_URL"));
        assertEquals("https://zg.example.com", plan.relay().get("ZEROGATE_RELAY_IDENTITY_ISSUER"));
        assertFalse(plan.relay().containsKey("ZEROGATE_TLS_CERT"));
    }

    @Test
    void aMissingKeyFileSaysWhoWritesIt() throws Exception {
        ServerPlan plan = plan("--behind-proxy");
        IOException missing = assertThrows(IOException.class, () -> plan.policy(Map.of()));
        assertTrue(missing.getMessage().contains("identity-svc writes it at start"), missing.getMessage());
    }
}
