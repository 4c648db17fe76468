package dev.zerogate.testkit.oidc;

import dev.zerogate.testkit.FreePorts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real third-party OpenID provider for tests: the npm package {@code oidc-provider}, run
 * with the machine's Node.js as a child process on a free loopback port, with clients and
 * users given by the test. Installed once per package version under
 * {@code ~/.cache/zerogate-test/}; a fresh machine installs it from the npm registry.
 */
public final class UpstreamOidcProvider implements AutoCloseable {

    private static final String RESOURCES = "/dev/zerogate/testkit/oidc/";
    private static final List<String> FILES = List.of("package.json", "provider.mjs");
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    /** A relying party registered at the provider. */
    public record Client(String id, String secret, List<String> redirectUris) {
    }

    /** A person who can sign in at the provider. */
    public record User(String username, String password, String email, String name, List<String> groups) {
    }

    private final Process process;
    private final String issuer;
    private final Path log;

    private UpstreamOidcProvider(Process process, String issuer, Path log) {
        this.process = process;
        this.issuer = issuer;
        this.log = log;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The issuer URL, {@code http://127.0.0.1:<port>}, without a trailing slash. */
    public String issuer() {
        return issuer;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** Collects the configuration and starts the provider. */
    public static final class Builder {
        private String groupsClaim = "groups";
        private final List<Client> clients = new ArrayList<>();
        private final List<User> users = new ArrayList<>();

        /** The claim (and scope) that carries the user's groups, e.g. "groups" or "roles". */
        public Builder groupsClaim(String claim) {
            this.groupsClaim = claim;
            return this;
        }

        public Builder client(String id, String secret, String... redirectUris) {
            clients.add(new Client(id, secret, List.of(redirectUris)));
            return this;
        }

        public Builder user(String username, String password, String email, String name, List<String> groups) {
            users.add(new User(username, password, email, name, List.copyOf(groups)));
            return this;
        }

        public UpstreamOidcProvider start() {
            try {
                Path home = installed();
                int port = FreePorts.loopback();
                String issuer = "http://127.0.0.1:" + port;
                Path log = home.resolve("provider-" + port + ".log");
                ProcessBuilder builder = new ProcessBuilder("node", "provider.mjs").directory(home.toFile())
                        .redirectErrorStream(true).redirectOutput(log.toFile());
                builder.environment().put("UPSTREAM_CONFIG", configJson(port, issuer));
                UpstreamOidcProvider provider = new UpstreamOidcProvider(builder.start(), issuer, log);
                provider.awaitDiscovery();
                return provider;
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the upstream OpenID provider (needs Node.js 20+ and npm)", e);
            }
        }

        private String configJson(int port, String issuer) {
            String clientsJson = clients.stream().map(c -> "{\"client_id\":" + json(c.id()) + ",\"client_secret\":" + json(c.secret())
                    + ",\"redirect_uris\":" + jsonArray(c.redirectUris()) + "}").collect(Collectors.joining(",", "[", "]"));
            String usersJson = users.stream().map(u -> "{\"username\":" + json(u.username()) + ",\"password\":" + json(u.password())
                    + ",\"email\":" + json(u.email()) + ",\"name\":" + json(u.name()) + ",\"groups\":" + jsonArray(u.groups()) + "}")
                    .collect(Collectors.joining(",", "[", "]"));
            return "{\"port\":" + port + ",\"issuer\":" + json(issuer) + ",\"groupsClaim\":" + json(groupsClaim)
                    + ",\"clients\":" + clientsJson + ",\"users\":" + usersJson + "}";
        }
    }

    private void awaitDiscovery() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the upstream OpenID provider exited: " + logTail());
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            sleep(100);
        }
        close();
        throw new IllegalStateException("the upstream OpenID provider did not start in " + START_TIMEOUT + ": " + logTail());
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** The package directory with node_modules, installed once per package.json content. */
    private static Path installed() throws IOException {
        byte[] packageJson = resource("package.json");
        Path home = Path.of(System.getProperty("user.home"), ".cache", "zerogate-test", "oidc-provider-" + shortHash(packageJson));
        Files.createDirectories(home);
        try (FileChannel lockFile = FileChannel.open(home.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            for (String file : FILES) {
                Files.write(home.resolve(file), resource(file));
            }
            if (!Files.isDirectory(home.resolve("node_modules").resolve("oidc-provider"))) {
                npmInstall(home);
            }
        }
        return home;
    }

    private static void npmInstall(Path home) throws IOException {
        Path log = home.resolve("npm-install.log");
        Process npm;
        try {
            npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--no-package-lock")
                    .directory(home.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new IOException("npm is not installed: install Node.js 20+ and npm", e);
        }
        try {
            if (!npm.waitFor(INSTALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                npm.destroyForcibly();
                throw new IOException("npm install did not finish in " + INSTALL_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            npm.destroyForcibly();
            throw new IOException("interrupted while installing oidc-provider", e);
        }
        if (npm.exitValue() != 0) {
            List<String> lines = Files.readAllLines(log);
            throw new IOException("npm install failed (exit " + npm.exitValue() + "):\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = UpstreamOidcProvider.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IOException("missing resource " + RESOURCES + name);
            }
            return in.readAllBytes();
        }
    }

    private static String shortHash(byte[]... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                digest.update(part);
            }
            return HexFormat.of().formatHex(digest.digest(), 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String json(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static String jsonArray(List<String> values) {
        return values.stream().map(UpstreamOidcProvider::json).collect(Collectors.joining(",", "[", "]"));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
