package dev.zerogate.server;

import dev.zerogate.tunnel.RelayKey;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

/**
 * The relay's preamble key, made here before the relay's first start so that identity-svc can
 * publish its public half from the start. The layout is the relay's own ({@code RelayKeys}):
 * base64 of the private key in {@code relay-preamble.key}, the file 0600 in a 0700 directory.
 */
final class RelayKeyFile {

    static final String FILE = "relay-preamble.key";

    private RelayKeyFile() {
    }

    /** The relay's key in {@code stateDir}, made if there is none. */
    static RelayKey loadOrCreate(Path stateDir) throws IOException {
        Files.createDirectories(stateDir);
        Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwx------"));
        Path file = stateDir.resolve(FILE);
        if (Files.exists(file)) {
            try {
                return RelayKey.fromPrivate(Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip()));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " is not a relay key; move it away to make a new one (clients then need the new key: they"
                        + " get it from the discovery document at their next login)");
            }
        }
        RelayKey key = RelayKey.generate();
        Path temporary = Files.createTempFile(stateDir, FILE, ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temporary, Base64.getEncoder().encodeToString(key.privateBytes()) + "\n", StandardCharsets.US_ASCII);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        return key;
    }
}
