package dev.zerogate.identity.bootstrap;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

/**
 * One service account key on disk: {@code account_id}, {@code key_id}, {@code secret},
 * {@code expires_at} as a properties file, 0600, replaced atomically. The same layout
 * {@code zerogate-local} keeps in its {@code secrets/} directory.
 */
record ServiceAccountKeyFile(UUID accountId, UUID keyId, String secret, Instant expiresAt) {

    static Optional<ServiceAccountKeyFile> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        }
        try {
            return Optional.of(new ServiceAccountKeyFile(UUID.fromString(properties.getProperty("account_id")),
                    UUID.fromString(properties.getProperty("key_id")), properties.getProperty("secret"),
                    Instant.parse(properties.getProperty("expires_at"))));
        } catch (RuntimeException e) {
            // Treated as absent by the caller's policy: a damaged file gets a new key.
            return Optional.empty();
        }
    }

    void write(Path file) throws IOException {
        Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Properties properties = new Properties();
        properties.setProperty("account_id", accountId.toString());
        properties.setProperty("key_id", keyId.toString());
        properties.setProperty("secret", secret);
        properties.setProperty("expires_at", expiresAt.toString());
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        Files.createFile(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(partial)) {
            properties.store(out, "a zerogate service account key: secret");
        }
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
