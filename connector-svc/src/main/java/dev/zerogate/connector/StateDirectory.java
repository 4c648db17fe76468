package dev.zerogate.connector;

import dev.zerogate.connector.config.ConnectorConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The connector's state directory: created owner-only at start (credentials will live there),
 * and the connector is ready only while it is an owner-only, writable directory.
 */
@Readiness
@ApplicationScoped
public class StateDirectory implements HealthCheck {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private final Path dir;

    StateDirectory(ConnectorConfig config) {
        this.dir = config.stateDir().toAbsolutePath();
    }

    void onStart(@Observes StartupEvent event) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, OWNER_ONLY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the state directory " + dir, e);
        }
        Log.infof("connector state directory %s", dir);
    }

    public Path path() {
        return dir;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("state directory").withData("path", dir.toString());
        try {
            if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
                return response.down().withData("reason", "missing or not writable").build();
            }
            if (!Files.getPosixFilePermissions(dir).equals(OWNER_ONLY)) {
                return response.down().withData("reason", "permissions are not 0700").build();
            }
            return response.up().build();
        } catch (IOException e) {
            return response.down().withData("reason", "cannot inspect: " + e.getClass().getSimpleName()).build();
        }
    }
}
