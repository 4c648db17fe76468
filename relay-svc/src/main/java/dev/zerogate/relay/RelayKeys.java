package dev.zerogate.relay;

import dev.zerogate.relay.config.RelayConfig;
import dev.zerogate.tunnel.RelayKey;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

/**
 * The relay's X25519 key for sealed preambles: generated at first start into the state
 * directory (0700, the key file 0600) and kept across restarts, so clients that pinned it stay
 * valid. Only the key id and the public half are ever logged.
 */
@ApplicationScoped
public class RelayKeys {

    static final String FILE = "relay-preamble.key";

    private final RelayKey key;

    RelayKeys(RelayConfig config) {
        this.key = loadOrCreate(config.stateDir());
        Log.infof("relay preamble key %s (public %s)", key.keyIdText(), key.publicText());
        Log.info(operatorLine(config, key));
    }

    /**
     * The line an operator pastes into identity-svc's {@code ZEROGATE_PUBLIC_RELAYS}
     * ({@code <public URL>#<public key>}, ADR 0016): the control plane, not the relay, tells
     * clients which key to seal to.
     */
    static String operatorLine(RelayConfig config, RelayKey key) {
        var publicUrl = config.publicUrl().filter(url -> !url.isBlank());
        String scheme = config.tls().cert().isPresent() ? "https" : "http";
        return publicUrl.map(url -> "for identity-svc's ZEROGATE_PUBLIC_RELAYS: " + url + "#" + key.publicText())
                .orElseGet(() -> "for identity-svc's ZEROGATE_PUBLIC_RELAYS: " + scheme + "://RELAY-HOST:" + config.port() + "#"
                        + key.publicText() + " (replace RELAY-HOST with this relay's public name, or set ZEROGATE_RELAY_PUBLIC_URL)");
    }

    /** The public key of the key file in {@code dir}, without creating one. */
    static String publicKeyIn(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        return RelayKey.fromPrivate(Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip())).publicText();
    }

    public RelayKey key() {
        return key;
    }

    private static RelayKey loadOrCreate(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Path file = dir.resolve(FILE);
            if (Files.exists(file)) {
                return RelayKey.fromPrivate(Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip()));
            }
            RelayKey key = RelayKey.generate();
            Path temporary = Files.createTempFile(dir, FILE, ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temporary, Base64.getEncoder().encodeToString(key.privateBytes()) + "\n", StandardCharsets.US_ASCII);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the relay key in " + dir, e);
        }
    }
}
