package dev.zerogate.identity.service;

import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.servicekit.secret.SecretSealer;
import io.quarkus.logging.Log;
import jakarta.inject.Singleton;

/**
 * identity-svc's master key, which seals secrets at rest (signing keys, the CA key, TOTP
 * secrets): the file named by {@code zerogate.identity.keys.master-key-file}, generated at first
 * start. The key handling and the sealed format are service-kit's {@link SecretSealer}; this bean
 * only names the file and says when it generated one.
 */
@Singleton
public class MasterKey {

    private final SecretSealer sealer;

    MasterKey(IdentityConfig config) {
        this.sealer = SecretSealer.loadOrCreate(config.keys().masterKeyFile());
        if (sealer.generatedKey()) {
            Log.infof("generated a new master key in %s (back it up: it opens the sealed signing keys)", sealer.keyFile());
        }
    }

    /** The sealer itself, for service-kit code that seals with it (the signing key ring). */
    public SecretSealer sealer() {
        return sealer;
    }

    /** Seals {@code secret} under this key, bound to {@code name}. */
    public byte[] seal(String name, byte[] secret) {
        return sealer.seal(name, secret);
    }

    /**
     * Opens what {@link #seal} produced for the same {@code name}.
     *
     * @throws IllegalArgumentException when the value was sealed under another key or name,
     *                                  or was altered (fails closed: no partial plaintext)
     */
    public byte[] open(String name, byte[] sealed) {
        return sealer.open(name, sealed);
    }
}
