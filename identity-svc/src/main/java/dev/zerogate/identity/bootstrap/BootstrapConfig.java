package dev.zerogate.identity.bootstrap;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Service accounts identity-svc makes for the other services of a one-box install
 * ({@code zerogate-server}), before any admin exists: policy-svc's (to follow revocations) and
 * the relay's (to report connectors). Off unless {@link #secretsDir()} is set.
 */
@ConfigMapping(prefix = "zerogate.identity.bootstrap")
public interface BootstrapConfig {

    /**
     * Where each account's key is kept, one file {@code <name>.client} (0600) per account
     * (ZEROGATE_IDENTITY_BOOTSTRAP_SECRETS_DIR). The services that use a key read it from there.
     */
    Optional<Path> secretsDir();

    /** The accounts to keep, by name (ZEROGATE_IDENTITY_BOOTSTRAP_SERVICE_ACCOUNTS). */
    @WithDefault("policy-svc,relay-svc")
    List<String> serviceAccounts();
}
