package dev.zerogate.e2e;

import dev.zerogate.local.DatabaseLogin;
import dev.zerogate.local.EmbeddedPostgresServer;
import dev.zerogate.local.LocalOptions;
import dev.zerogate.testkit.FreePorts;
import dev.zerogate.testkit.identity.TestIdentity;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One policy-svc (the packaged application, as a process) on a free loopback port, on an
 * embedded PostgreSQL, trusting testkit's {@link TestIdentity} for access tokens. Logs go to
 * {@code policy.log} and {@code postgres.log} in {@code home}.
 */
final class PolicySvcHarness implements AutoCloseable {

    private final EmbeddedPostgresServer postgres;
    private final Process process;
    private final int port;
    private final Path home;

    private PolicySvcHarness(EmbeddedPostgresServer postgres, Process process, int port, Path home) {
        this.postgres = postgres;
        this.process = process;
        this.port = port;
        this.home = home;
    }

    static PolicySvcHarness start(Path home) throws Exception {
        int base = FreePorts.consecutiveLoopback(2);
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(home, base, home.resolve("postgres.log"));
        Process process = null;
        try {
            DatabaseLogin login = postgres.ensureDatabase("zerogate_policy");
            int port = base + 1;
            Path app = LocalStackHarness.projectDir().resolve("policy-svc/target/quarkus-app/quarkus-run.jar");
            List<String> command = new ArrayList<>(List.of(LocalOptions.currentJava()));
            command.addAll(LocalOptions.DEFAULT_JVM_OPTIONS);
            command.addAll(List.of("-jar", app.toString()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(home.resolve("policy.log").toFile());
            builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
            builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
            builder.environment().put("QUARKUS_DATASOURCE_REACTIVE_URL", login.reactiveUrl());
            builder.environment().put("QUARKUS_DATASOURCE_JDBC_URL", login.jdbcUrl());
            builder.environment().put("QUARKUS_DATASOURCE_USERNAME", login.username());
            builder.environment().put("QUARKUS_DATASOURCE_PASSWORD", login.password());
            builder.environment().put("ZEROGATE_POLICY_IDENTITY_URL", TestIdentity.instance().url());
            builder.environment().put("ZEROGATE_POLICY_MASTER_KEY_FILE", home.resolve("policy-master.key").toString());
            process = builder.start();
            PolicySvcHarness harness = new PolicySvcHarness(postgres, process, port, home);
            harness.awaitReady();
            return harness;
        } catch (Exception e) {
            if (process != null) {
                process.destroyForcibly();
            }
            postgres.close();
            throw e;
        }
    }

    /** policy-svc's gRPC URL (plaintext HTTP/2 on its HTTP port). */
    String url() {
        return "http://127.0.0.1:" + port;
    }

    private void awaitReady() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(LocalStackHarness.READY_TIMEOUT);
        while (Instant.now().isBefore(deadline) && process.isAlive()) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("policy-svc on port " + port + " was not ready in time; see " + home.resolve("policy.log"));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        postgres.close();
    }
}
