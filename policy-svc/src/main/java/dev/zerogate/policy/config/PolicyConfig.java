package dev.zerogate.policy.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;

/** policy-svc's own settings. */
@ConfigMapping(prefix = "zerogate.policy")
public interface PolicyConfig {

    /**
     * File holding the 256-bit master key that seals the grant signing keys at rest in the
     * database. Created with 0600 permissions at first start; back it up: without it the sealed
     * keys cannot be opened and the service refuses to start.
     */
    Path masterKeyFile();

    Grants grants();

    interface Grants {
        /**
         * The {@code iss} of every grant; relays and connectors are configured with the same
         * value. A name, not a URL: grants are only ever verified offline.
         */
        @WithDefault("zerogate-policy")
        String issuer();

        /**
         * How long a grant lives, unless its rule or time window ends sooner. At most 5 minutes
         * (the contract's limit, which verifiers enforce); a longer value stops the service at start.
         */
        @WithDefault("5m")
        Duration lifetime();

        /** A new grant signing key replaces the active one after this long. */
        @WithDefault("30d")
        Duration keyRotationInterval();

        /** How often the rotation is checked for (and keys nobody can need are deleted). */
        @WithDefault("1h")
        Duration keyCheckInterval();

        /**
         * How often a replica reloads the keys from the database, so that a rotation made by
         * another replica is picked up. A retired key stays published this much longer.
         */
        @WithDefault("30s")
        Duration keyReloadInterval();

        /** How long relays and connectors may cache the key set (GetGrantSigningKeys' cache_ttl). */
        @WithDefault("5m")
        Duration jwksCacheTtl();
    }
}
