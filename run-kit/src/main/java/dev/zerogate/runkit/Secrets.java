package dev.zerogate.runkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Generated secrets kept as one file each in a 0700 directory, every file 0600. A secret is
 * created at first use and read back afterwards; none is ever fixed in code or in git.
 */
public final class Secrets {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int SECRET_BYTES = 24;

    private final Path dir;

    private Secrets(Path dir) {
        this.dir = dir;
    }

    public static Secrets in(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return new Secrets(dir);
    }

    public Path file(String name) {
        return dir.resolve(name + ".password");
    }

    /** The secret called {@code name}: read if it exists, else generated and stored 0600. */
    public String getOrCreate(String name) throws IOException {
        Path file = file(name);
        if (Files.exists(file)) {
            return Files.readString(file).strip();
        }
        byte[] bytes = new byte[SECRET_BYTES];
        RANDOM.nextBytes(bytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        // Created with 0600 from the start: never readable by others, not even briefly.
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, secret + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        return secret;
    }
}
