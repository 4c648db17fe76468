package dev.zerogate.testkit;

import jakarta.inject.Inject;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Schema by versioned migrations: they ran at start on an empty database, running them again
 * does nothing, and readiness reports the schema version. A service that owns a database
 * extends this with {@code @QuarkusTest} and a fresh database.
 */
public abstract class MigrationsContract {

    @Inject
    protected Flyway flyway;

    /** Every migration version of the build, oldest first, e.g. {@code List.of("1", "2")}. */
    protected abstract List<String> expectedVersions();

    @Test
    void startAppliedEveryMigrationToTheEmptyDatabase() {
        List<MigrationInfo> applied = Arrays.asList(flyway.info().applied());
        assertEquals(expectedVersions(), applied.stream().map(m -> m.getVersion().getVersion()).toList());
        assertTrue(applied.stream().allMatch(m -> m.getState() == MigrationState.SUCCESS), applied::toString);
        assertEquals(0, flyway.info().pending().length);
    }

    @Test
    void migratingAgainIsANoOp() {
        assertEquals(0, flyway.migrate().migrationsExecuted);
        assertEquals(expectedVersions().size(), flyway.info().applied().length);
    }

    @Test
    void readinessReportsTheSchemaVersion() {
        String newest = expectedVersions().get(expectedVersions().size() - 1);
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("checks.find { it.name == 'database schema' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'database schema' }.data.'schema-version'", equalTo(newest))
                .body("checks.find { it.name == 'database schema' }.data.'required-version'", equalTo(newest));
    }
}
