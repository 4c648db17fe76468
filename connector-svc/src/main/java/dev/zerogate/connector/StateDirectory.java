package dev.zerogate.connector;

import dev.zerogate.connector.config.ConnectorConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * The connector's state directory, where its rotated credentials live
 * ({@link dev.zerogate.connector.credentials.CredentialStore}): created owner-only (0700) at start.
 */
@ApplicationScoped
public class StateDirectory {

    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

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

    /** Why the directory cannot hold credentials safely, or empty when it can. */
    public Optional<String> problem() {
        try {
            if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
                return Optional.of("missing or not writable");
            }
            if (!Files.getPosixFilePermissions(dir).equals(OWNER_ONLY)) {
                return Optional.of("permissions are not 0700");
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot inspect: " + e.getClass().getSimpleName());
        }
    }
}
