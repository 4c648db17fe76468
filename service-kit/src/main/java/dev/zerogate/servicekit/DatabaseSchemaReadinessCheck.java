package dev.zerogate.servicekit;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Ready means: the database answers, and its schema is at least at the newest migration this
 * build carries. A replica whose database is down, or whose migrations have not run (for
 * example with {@code quarkus.flyway.migrate-at-start=false} and a migration job still to
 * come), takes no traffic. A schema newer than the build (a newer replica already migrated,
 * mid-upgrade) is ready: migrations only ever add.
 */
@Readiness
@ApplicationScoped
public class DatabaseSchemaReadinessCheck implements AsyncHealthCheck {

    static final String NAME = "database schema";

    @Inject
    Pool pool;

    @Inject
    Flyway flyway;

    @Inject
    DatabaseConfig config;

    /** The newest migration on the class path; set once at start, read by every probe. */
    private volatile MigrationVersion required;
    private String historyTable;

    void onStart(@Observes StartupEvent event) {
        // Blocking JDBC, once, at start (Flyway itself has just run its migrations here).
        required = Arrays.stream(flyway.info().all())
                .map(MigrationInfo::getVersion)
                .filter(v -> v != null)
                .max(Comparator.naturalOrder())
                .orElse(MigrationVersion.EMPTY);
        var configuration = flyway.getConfiguration();
        String schema = configuration.getDefaultSchema() != null ? configuration.getDefaultSchema() : "public";
        historyTable = quote(schema) + "." + quote(configuration.getTable());
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        MigrationVersion needed = required;
        if (needed == null) {
            return Uni.createFrom().item(HealthCheckResponse.named(NAME).down().withData("reason", "starting").build());
        }
        return pool.query("SELECT version FROM " + historyTable
                        + " WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1")
                .execute()
                .ifNoItem().after(config.readinessTimeout()).fail()
                .map(rows -> {
                    RowIterator<Row> it = rows.iterator();
                    MigrationVersion current = it.hasNext()
                            ? MigrationVersion.fromVersion(it.next().getString(0))
                            : MigrationVersion.EMPTY;
                    var response = HealthCheckResponse.named(NAME)
                            .withData("schema-version", current.getVersion() == null ? "none" : current.getVersion())
                            .withData("required-version", needed.getVersion() == null ? "none" : needed.getVersion());
                    if (current.compareTo(needed) < 0) {
                        return response.down().withData("reason", "migrations pending").build();
                    }
                    return response.up().build();
                })
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named(NAME).down()
                        .withData("reason", "database unreachable or schema missing: " + failure.getClass().getSimpleName())
                        .build());
    }
}
