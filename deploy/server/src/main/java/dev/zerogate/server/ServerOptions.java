package dev.zerogate.server;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How {@code zerogate-server} runs, from its command line and environment. Two topologies
 * (ADR 0016): <em>direct</em>, each service serving TLS from the certificate on its own public
 * port (the URL's port for identity-svc, {@code --policy-port}, {@code --relay-port}); and
 * <em>behind a proxy</em>, a TLS-terminating reverse proxy on this host serving the one URL
 * and the services listening in plaintext on 127.0.0.1, trusting only that proxy.
 */
record ServerOptions(URI publicUrl, Optional<Path> tlsCert, Optional<Path> tlsKey, boolean behindProxy, String listenHost,
                     int identityPort, int policyPort, int relayPort, int relayHttpPort, Path home,
                     Optional<Integer> embeddedPostgresPort, Map<String, DatabaseUrl> databases, Optional<Path> caFile,
                     Path projectDir, String javaCommand, List<String> jvmOptions, Duration readyTimeout) {

    static final int DEFAULT_POLICY_PORT = 7402;
    static final int DEFAULT_RELAY_PORT = 7405;
    /** Behind a proxy identity-svc listens here; directly, on the URL's own port. */
    static final int DEFAULT_PROXIED_IDENTITY_PORT = 7401;
    /** The relay's own HTTP/gRPC server: only its public port talks to it, on loopback. */
    static final int DEFAULT_RELAY_HTTP_PORT = 7403;
    static final int DEFAULT_EMBEDDED_POSTGRES_PORT = 7400;
    static final List<String> DATABASES = List.of("zerogate_identity", "zerogate_policy");
    static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx384m", "-XX:+UseSerialGC");

    /** The command line was wrong: a usage error (exit 2), said in one line. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    static String usage() {
        return """
                usage: zerogate-server [start|stop|status] --url URL [options]

                  --url URL              the deployment's one URL, e.g. https://zg.example.com ($ZEROGATE_PUBLIC_URL)
                  --tls-cert FILE        the certificate chain, e.g. /etc/letsencrypt/live/<name>/fullchain.pem ($ZEROGATE_TLS_CERT)
                  --tls-key FILE         its private key, e.g. /etc/letsencrypt/live/<name>/privkey.pem ($ZEROGATE_TLS_KEY)
                  --behind-proxy         a TLS-terminating proxy on this host serves the URL (deploy/proxy/):
                                         the services listen on 127.0.0.1 in plaintext and trust only it
                  --listen ADDRESS       where the public ports listen (default 0.0.0.0; 127.0.0.1 behind a proxy)
                  --policy-port PORT     policy-svc's public port (default 7402)
                  --relay-port PORT      the relay's public port (default 7405)
                  --identity-port PORT   identity-svc's port (default: the URL's port; 7401 behind a proxy)
                  --home DIR             state, secrets and logs ($ZEROGATE_HOME, default ~/.zerogate/server)
                  --embedded-postgres    run PostgreSQL here, data in <home>/pgdata (small installs); otherwise
                                         $ZEROGATE_IDENTITY_DATABASE_URL and $ZEROGATE_POLICY_DATABASE_URL,
                                         postgresql://user:password@host:5432/database[?sslmode=require]
                  --ca-file FILE         a private CA the services trust when they call each other ($ZEROGATE_CA_FILE)
                """;
    }

    /** Parses everything after the command word. */
    static ServerOptions parse(List<String> args, Map<String, String> env, Path projectDir, String javaCommand) throws UsageException {
        Deque<String> rest = new ArrayDeque<>(args);
        String url = env.get("ZEROGATE_PUBLIC_URL");
        String cert = env.get("ZEROGATE_TLS_CERT");
        String key = env.get("ZEROGATE_TLS_KEY");
        String ca = env.get("ZEROGATE_CA_FILE");
        String home = env.getOrDefault("ZEROGATE_HOME", System.getProperty("user.home") + "/.zerogate/server");
        boolean behindProxy = false;
        boolean embedded = false;
        String listen = null;
        Integer identityPort = null;
        int policyPort = DEFAULT_POLICY_PORT;
        int relayPort = DEFAULT_RELAY_PORT;
        while (!rest.isEmpty()) {
            String option = rest.pop();
            switch (option) {
                case "--url" -> url = value(rest, option);
                case "--tls-cert" -> cert = value(rest, option);
                case "--tls-key" -> key = value(rest, option);
                case "--ca-file" -> ca = value(rest, option);
                case "--home" -> home = value(rest, option);
                case "--behind-proxy" -> behindProxy = true;
                case "--embedded-postgres" -> embedded = true;
                case "--listen" -> listen = value(rest, option);
                case "--identity-port" -> identityPort = port(value(rest, option), option);
                case "--policy-port" -> policyPort = port(value(rest, option), option);
                case "--relay-port" -> relayPort = port(value(rest, option), option);
                default -> throw new UsageException("unknown option " + option);
            }
        }
        URI publicUrl = publicUrl(url);
        boolean https = publicUrl.getScheme().equals("https");
        if (blank(cert) != blank(key)) {
            throw new UsageException(blank(cert) ? "--tls-key is set but not --tls-cert (ZEROGATE_TLS_CERT)"
                    : "--tls-cert is set but not --tls-key (ZEROGATE_TLS_KEY)");
        }
        if (behindProxy && !blank(cert)) {
            throw new UsageException("--behind-proxy and --tls-cert both given: behind a proxy the proxy holds the certificate");
        }
        if (https && !behindProxy && blank(cert)) {
            throw new UsageException(publicUrl + " is https: give the certificate (--tls-cert, --tls-key), or --behind-proxy"
                    + " when a reverse proxy on this host terminates TLS");
        }
        if (!https && !isLoopback(publicUrl.getHost())) {
            throw new UsageException(publicUrl + " would send passwords and tokens in clear over the network: use https://");
        }
        if (!https && !blank(cert)) {
            throw new UsageException(publicUrl + " is http but a certificate was given: use https://" + publicUrl.getRawAuthority());
        }
        Optional<Path> certPath = readable(cert, "--tls-cert");
        Optional<Path> keyPath = readable(key, "--tls-key");
        Optional<Path> caPath = readable(ca, "--ca-file");
        int urlPort = publicUrl.getPort() > 0 ? publicUrl.getPort() : https ? 443 : 80;
        int identity = identityPort != null ? identityPort : behindProxy ? DEFAULT_PROXIED_IDENTITY_PORT : urlPort;
        String listenHost = listen != null ? listen : behindProxy ? "127.0.0.1" : "0.0.0.0";
        if (List.of(identity, policyPort, relayPort, DEFAULT_RELAY_HTTP_PORT).stream().distinct().count() < 4) {
            throw new UsageException("identity-svc, policy-svc and the relay need different ports (and 7403 is the relay's own)");
        }
        Map<String, DatabaseUrl> databases = new java.util.LinkedHashMap<>();
        if (!embedded) {
            for (String[] each : new String[][] {{"zerogate_identity", "ZEROGATE_IDENTITY_DATABASE_URL"},
                    {"zerogate_policy", "ZEROGATE_POLICY_DATABASE_URL"}}) {
                String value = env.get(each[1]);
                if (blank(value)) {
                    throw new UsageException("no database: set " + each[1] + " (postgresql://user:password@host:5432/"
                            + each[0] + "), or pass --embedded-postgres for a small install");
                }
                try {
                    databases.put(each[0], DatabaseUrl.parse(value, each[1]));
                } catch (IllegalArgumentException e) {
                    throw new UsageException(e.getMessage());
                }
            }
        }
        return new ServerOptions(publicUrl, certPath, keyPath, behindProxy, listenHost, identity, policyPort, relayPort,
                DEFAULT_RELAY_HTTP_PORT, Path.of(home).toAbsolutePath().normalize(),
                embedded ? Optional.of(DEFAULT_EMBEDDED_POSTGRES_PORT) : Optional.empty(), Map.copyOf(databases), caPath,
                projectDir, javaCommand, DEFAULT_JVM_OPTIONS, Duration.ofSeconds(180));
    }

    /** The URL clients use for policy-svc: the one URL behind a proxy, else its own port on the URL's host. */
    String clientPolicyUrl() {
        return behindProxy ? base() : sameHost(policyPort);
    }

    /** The URL clients use for the relay, published with its key. */
    String clientRelayUrl() {
        return behindProxy ? base() : sameHost(relayPort);
    }

    /**
     * Where the services call each other. In plaintext, on loopback; with TLS, at the public
     * name (the certificate names nothing else), which must resolve to this host from itself.
     */
    String internalUrl(int port) {
        return tlsCert.isPresent() ? sameHost(port) : "http://127.0.0.1:" + port;
    }

    String base() {
        String text = publicUrl.toString();
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }

    private String sameHost(int port) {
        String host = publicUrl.getHost().contains(":") ? "[" + publicUrl.getHost() + "]" : publicUrl.getHost();
        return publicUrl.getScheme() + "://" + host + ":" + port;
    }

    Path logDir() {
        return home.resolve("logs");
    }

    private static URI publicUrl(String url) throws UsageException {
        if (blank(url)) {
            throw new UsageException("which URL? Pass --url https://zg.example.com (or set ZEROGATE_PUBLIC_URL)");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new UsageException("--url '" + url + "' is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null || !(path.isEmpty() || path.equals("/"))
                || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
            throw new UsageException("--url must be https://host or https://host:port, nothing more (got " + url + ")");
        }
        return URI.create(scheme + "://" + uri.getRawAuthority());
    }

    static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (!literal.matches("[0-9.]+") && !literal.contains(":")) {
            return false;
        }
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static Optional<Path> readable(String file, String option) throws UsageException {
        if (blank(file)) {
            return Optional.empty();
        }
        Path path = Path.of(file).toAbsolutePath();
        if (!Files.isReadable(path)) {
            throw new UsageException(option + " " + path + " cannot be read");
        }
        return Optional.of(path);
    }

    private static String value(Deque<String> rest, String option) throws UsageException {
        if (rest.isEmpty()) {
            throw new UsageException(option + " needs a value");
        }
        return rest.pop();
    }

    private static int port(String text, String option) throws UsageException {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new UsageException(option + " '" + text + "' is not a port (1 to 65535)");
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
