package dev.zerogate.client.login;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where the CLI keeps its device key and credentials: {@code $ZEROGATE_CONFIG_DIR}, else
 * {@code $XDG_CONFIG_HOME/zerogate}, else {@code ~/.config/zerogate}. The directory is 0700
 * and every file in it 0600, created so from the first byte.
 */
public final class ConfigDirectory {

    private final Path dir;

    private ConfigDirectory(Path dir) {
        this.dir = dir;
    }

    public static ConfigDirectory fromEnvironment() {
        String explicit = System.getenv("ZEROGATE_CONFIG_DIR");
        if (explicit != null && !explicit.isBlank()) {
            return new ConfigDirectory(Path.of(explicit));
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return new ConfigDirectory(base.resolve("zerogate"));
    }

    /** The configuration directory at {@code dir} (tests, and helper processes given one). */
    public static ConfigDirectory at(Path dir) {
        return new ConfigDirectory(dir);
    }

    public Path path(String name) {
        return dir.resolve(name);
    }

    /** Writes {@code content} to {@code name} with 0600 permissions, replacing it atomically. */
    public void writePrivate(String name, byte[] content) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path temp = dir.resolve(name + ".tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(temp, content, StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(temp, dir.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
