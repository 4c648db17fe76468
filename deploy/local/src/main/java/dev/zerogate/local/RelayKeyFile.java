package dev.zerogate.local;

import dev.zerogate.tunnel.RelayKey;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

/**
 * A relay's preamble key made before the relay starts, in its state directory and in the
 * relay's own format ({@code relay-preamble.key}: base64 of the private key, directory 0700,
 * file 0600), so that identity-svc can publish the relay's public key in its discovery document
 * (ZEROGATE_PUBLIC_RELAYS) from the start. The relay then loads this key instead of making one.
 */
public final class RelayKeyFile {

    /** The file name relay-svc reads in its state directory. */
    public static final String FILE = "relay-preamble.key";

    private RelayKeyFile() {
    }

    /** The relay key in {@code stateDir}, made there if it is not there yet. */
    public static RelayKey ensure(Path stateDir) throws IOException {
        Files.createDirectories(stateDir);
        Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwx------"));
        Path file = stateDir.resolve(FILE);
        if (Files.exists(file)) {
            return RelayKey.fromPrivate(Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip()));
        }
        RelayKey key = RelayKey.generate();
        Path temporary = Files.createTempFile(stateDir, FILE, ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temporary, Base64.getEncoder().encodeToString(key.privateBytes()) + "\n", StandardCharsets.US_ASCII);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        return key;
    }

    /** The {@code URL#KEY} entry of ZEROGATE_PUBLIC_RELAYS for the relay at {@code url} whose state is {@code stateDir}. */
    public static String publicEntry(String url, Path stateDir) throws IOException {
        return url + "#" + ensure(stateDir).publicText();
    }
}
