package dev.zerogate.testkit;

import dev.zerogate.runkit.DatabaseLogin;
import dev.zerogate.runkit.EmbeddedPostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real PostgreSQL for a {@code @QuarkusTest}: the same embedded server as the local run, in
 * a temporary directory, with one database and owning role for the service under test. It
 * supplies the standard Quarkus datasource keys, reactive URL for the application and JDBC URL
 * for Flyway.
 *
 * <p>Init arg {@code database}: the database name (default {@code zerogate_test}).
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private EmbeddedPostgresServer server;
    private Path home;
    private String database = "zerogate_test";

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
    }

    @Override
    public Map<String, String> start() {
        try {
            home = Files.createTempDirectory("zerogate-pg-");
            server = EmbeddedPostgresServer.start(home, FreePorts.loopback(), home.resolve("postgres.log"));
            DatabaseLogin login = server.ensureDatabase(database);
            return Map.of(
                    "quarkus.datasource.reactive.url", login.reactiveUrl(),
                    "quarkus.datasource.jdbc.url", login.jdbcUrl(),
                    "quarkus.datasource.username", login.username(),
                    "quarkus.datasource.password", login.password());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL for tests", e);
        }
    }

    @Override
    public void stop() {
        try {
            if (server != null) {
                server.close();
            }
            if (home != null) {
                TempDirs.deleteRecursively(home);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
