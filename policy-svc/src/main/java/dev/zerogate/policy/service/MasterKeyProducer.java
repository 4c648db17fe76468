package dev.zerogate.policy.service;

import dev.zerogate.policy.config.PolicyConfig;
import dev.zerogate.servicekit.secret.SecretSealer;
import io.quarkus.logging.Log;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * policy-svc's master key, which seals the grant signing keys at rest: the file named by
 * {@code zerogate.policy.master-key-file}, generated at first start (see {@link SecretSealer}).
 */
public class MasterKeyProducer {

    @Produces
    @Singleton
    SecretSealer masterKey(PolicyConfig config) {
        SecretSealer sealer = SecretSealer.loadOrCreate(config.masterKeyFile());
        if (sealer.generatedKey()) {
            Log.infof("generated a new master key in %s (back it up: it opens the sealed grant signing keys)", sealer.keyFile());
        }
        return sealer;
    }
}
