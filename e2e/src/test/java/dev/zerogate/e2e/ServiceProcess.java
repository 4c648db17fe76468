package dev.zerogate.e2e;

import dev.zerogate.runkit.DatabaseLogin;
import dev.zerogate.local.LocalOptions;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One packaged service application run as a process by a test, with the environment the test
 * chooses (for layouts the local run does not make: two replicas, a service with credentials
 * created during the test). Its output goes to a log file; {@link #close()} stops it.
 */
final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final int port;
    private final Process process;
    private final Path log;

    private ServiceProcess(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code module}'s packaged application on {@code port} and waits until it is ready;
     * {@code database} is null for a service without one (connector-svc).
     */
    static ServiceProcess start(String module, String instance, int port, DatabaseLogin database, Map<String, String> env, Path logDir)
            throws IOException, InterruptedException {
        Path app = LocalStackHarness.projectDir().resolve(module + "/target/quarkus-app/quarkus-run.jar");
        List<String> command = new ArrayList<>(List.of(LocalOptions.currentJava()));
        command.addAll(LocalOptions.DEFAULT_JVM_OPTIONS);
        command.addAll(List.of("-jar", app.toString()));
        Path log = logDir.resolve(instance + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        if (database != null) {
            builder.environment().put("QUARKUS_DATASOURCE_REACTIVE_URL", database.reactiveUrl());
            builder.environment().put("QUARKUS_DATASOURCE_JDBC_URL", database.jdbcUrl());
            builder.environment().put("QUARKUS_DATASOURCE_USERNAME", database.username());
            builder.environment().put("QUARKUS_DATASOURCE_PASSWORD", database.password());
        }
        builder.environment().putAll(env);
        ServiceProcess service = new ServiceProcess(instance, port, builder.start(), log);
        try {
            service.awaitReady();
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            service.close();
            throw e;
        }
        return service;
    }

    int port() {
        return port;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    Path log() {
        return log;
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(LocalStackHarness.READY_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
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
        throw new AssertionError(name + " was not ready in time; log: " + log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
