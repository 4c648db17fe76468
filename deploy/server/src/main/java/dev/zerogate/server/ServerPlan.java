package dev.zerogate.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * What each service of a {@code zerogate-server} gets in its environment: the public face
 * (URL, ports, certificate, trusted proxy), where the others are, its database and its
 * secrets' files. The services are started in this order; each map is complete for its
 * service (nothing is inherited from this process but the operating system's basics).
 */
final class ServerPlan {

    static final String IDENTITY = "identity-svc";
    static final String POLICY = "policy-svc";
    static final String RELAY = "relay-svc";

    private final ServerOptions options;

    ServerPlan(ServerOptions options) {
        this.options = options;
    }

    /** identity-svc: the one URL, the discovery document's contents, and the other services' accounts. */
    Map<String, String> identity(Map<String, String> database, String relayPublicKey) {
        Map<String, String> env = publicFace(options.identityPort());
        env.put("ZEROGATE_PUBLIC_URL", options.base());
        env.put("ZEROGATE_IDENTITY_ISSUER", options.base());
        env.put("ZEROGATE_PUBLIC_POLICY_URL", options.clientPolicyUrl());
        env.put("ZEROGATE_PUBLIC_RELAYS", options.clientRelayUrl() + "#" + relayPublicKey);
        env.put("ZEROGATE_IDENTITY_KEYS_MASTER_KEY_FILE", options.home().resolve("identity/master.key").toString());
        env.put("ZEROGATE_IDENTITY_BOOTSTRAP_SECRETS_DIR", secretsDir().toString());
        env.put("ZEROGATE_IDENTITY_BOOTSTRAP_SERVICE_ACCOUNTS", POLICY + "," + RELAY);
        env.putAll(database);
        return env;
    }

    /** policy-svc: identity-svc's keys and revocations through its own service account. */
    Map<String, String> policy(Map<String, String> database) throws IOException {
        Map<String, String> env = publicFace(options.policyPort());
        env.put("ZEROGATE_POLICY_IDENTITY_URL", options.internalUrl(options.identityPort()));
        // Tokens name the public URL; policy-svc may reach identity-svc at another one.
        env.put("ZEROGATE_POLICY_IDENTITY_ISSUER", options.base());
        env.put("ZEROGATE_POLICY_MASTER_KEY_FILE", options.home().resolve("policy/master.key").toString());
        ServiceAccountKey own = key(POLICY);
        env.put("ZEROGATE_POLICY_IDENTITY_CLIENT_ID", own.keyId());
        env.put("ZEROGATE_POLICY_IDENTITY_CLIENT_SECRET", own.secret());
        env.put("ZEROGATE_POLICY_STREAM_RELAY_SERVICE_ACCOUNTS", key(RELAY).accountId());
        env.putAll(database);
        return env;
    }

    /** The relay: its public port faces the internet; its own HTTP server stays on loopback. */
    Map<String, String> relay() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(options.relayHttpPort()));
        env.put("ZEROGATE_RELAY_HOST", options.listenHost());
        env.put("ZEROGATE_RELAY_PORT", Integer.toString(options.relayPort()));
        env.put("ZEROGATE_RELAY_PUBLIC_URL", options.clientRelayUrl());
        env.put("ZEROGATE_RELAY_STATE_DIR", relayStateDir().toString());
        env.put("ZEROGATE_RELAY_IDENTITY_URL", options.internalUrl(options.identityPort()));
        env.put("ZEROGATE_RELAY_IDENTITY_ISSUER", options.base());
        env.put("ZEROGATE_RELAY_POLICY_URL", options.internalUrl(options.policyPort()));
        ServiceAccountKey own = key(RELAY);
        env.put("ZEROGATE_RELAY_IDENTITY_CLIENT_ID", own.keyId());
        env.put("ZEROGATE_RELAY_IDENTITY_CLIENT_SECRET", own.secret());
        tlsAndTrust(env);
        return env;
    }

    Path secretsDir() {
        return options.home().resolve("secrets");
    }

    Path relayStateDir() {
        return options.home().resolve("relay");
    }

    private Map<String, String> publicFace(int port) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_HTTP_HOST", options.listenHost());
        env.put("ZEROGATE_LISTEN_HOST", options.listenHost());
        tlsAndTrust(env);
        return env;
    }

    private void tlsAndTrust(Map<String, String> env) {
        options.tlsCert().ifPresent(file -> env.put("ZEROGATE_TLS_CERT", file.toString()));
        options.tlsKey().ifPresent(file -> env.put("ZEROGATE_TLS_KEY", file.toString()));
        options.caFile().ifPresent(file -> env.put("ZEROGATE_CA_FILE", file.toString()));
        if (options.behindProxy()) {
            // The proxy connects from this host; nobody else's forwarded headers or PROXY lines count.
            env.put("ZEROGATE_TRUSTED_PROXIES", "127.0.0.1,::1");
        }
    }

    /** A service account key identity-svc keeps in the secrets directory (its bootstrap). */
    record ServiceAccountKey(String accountId, String keyId, String secret) {
        @Override
        public String toString() {
            return "key " + keyId + " of account " + accountId;
        }
    }

    ServiceAccountKey key(String account) throws IOException {
        Path file = secretsDir().resolve(account + ".client");
        Optional<ServiceAccountKey> key = readKey(file);
        return key.orElseThrow(() -> new IOException(file + " is missing or damaged: identity-svc writes it at start"
                + " (zerogate.identity.bootstrap); see its log"));
    }

    private static Optional<ServiceAccountKey> readKey(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        }
        String account = properties.getProperty("account_id");
        String id = properties.getProperty("key_id");
        String secret = properties.getProperty("secret");
        return account == null || id == null || secret == null ? Optional.empty() : Optional.of(new ServiceAccountKey(account, id, secret));
    }
}
