package dev.zerogate.identity.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;

/** identity-svc's own settings. */
@ConfigMapping(prefix = "zerogate.identity")
public interface IdentityConfig {

    /**
     * The issuer: the URL at which clients reach identity-svc, e.g.
     * {@code https://zerogate.example.net}. Goes into every token's {@code iss} and the
     * discovery document. Required: there is no sensible default (ZEROGATE_IDENTITY_ISSUER).
     */
    String issuer();

    /**
     * Members of this group are zerogate admins: the group is in their tokens' {@code groups}
     * and IdentityAdminService accepts them. Built-in admins are members; an upstream IdP
     * makes its users admins by putting this name in their groups claim.
     */
    @WithDefault("admins")
    String adminGroup();

    Tokens tokens();

    Keys keys();

    Devices devices();

    interface Devices {
        /** Lifetime of a device certificate; the client renews at two thirds of it. 1h to 7d. */
        @WithDefault("24h")
        Duration certificateLifetime();
    }

    interface Tokens {
        /** Lifetime of an access token. Short: revocation is also enforced by the policy stream. */
        @WithDefault("10m")
        Duration accessTokenLifetime();

        /** The {@code aud} of access tokens: the zerogate services that accept them. */
        @WithDefault("zerogate")
        String audience();

        /** A refresh token unused for this long expires; each use issues a new one. */
        @WithDefault("30d")
        Duration refreshTokenLifetime();

        /** How long a device login (RFC 8628) waits for the person to approve it. */
        @WithDefault("10m")
        Duration deviceCodeLifetime();

        /** Minimum time between two polls of a device login; {@code slow_down} adds 5 s. */
        @WithDefault("5s")
        Duration deviceCodeInterval();

        /** How long the first admin's one-time setup link stays valid. */
        @WithDefault("24h")
        Duration setupLinkLifetime();
    }

    interface Keys {
        /** A new signing key replaces the active one after this long. */
        @WithDefault("30d")
        Duration rotationPeriod();

        /**
         * How often a replica reloads the keys from the database, so that a rotation made by
         * another replica is picked up. A retired key stays published this much longer.
         */
        @WithDefault("30s")
        Duration reloadInterval();

        /**
         * File holding the 256-bit master key that seals signing keys (and, later, the CA key)
         * at rest in the database. Created with 0600 permissions at first start; back it up:
         * without it the sealed keys cannot be opened and the service refuses to start.
         */
        Path masterKeyFile();
    }
}
