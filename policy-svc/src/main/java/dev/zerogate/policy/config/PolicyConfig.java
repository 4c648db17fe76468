package dev.zerogate.policy.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** policy-svc settings, under {@code zerogate.policy} (environment: {@code ZEROGATE_POLICY_...}). */
@ConfigMapping(prefix = "zerogate.policy")
public interface PolicyConfig {

    /** Members of this group (in the access token's {@code groups}) are admins. */
    @WithDefault("admins")
    String adminGroup();

    /** Members of this group may read and export the audit log, without being admins. */
    @WithDefault("auditors")
    String auditorGroup();

    /** Where access tokens come from. */
    Identity identity();

    /** The live policy stream. */
    Stream stream();

    /** Decisions. */
    Decisions decisions();

    /** The audit log. */
    Audit audit();

    /** Installation limits, from the proto. */
    Limits limits();

    /**
     * File holding the 256-bit master key that seals the grant signing keys at rest in the
     * database. Created with 0600 permissions at first start; back it up: without it the sealed
     * keys cannot be opened and the service refuses to start.
     */
    Path masterKeyFile();

    /** Access grants and their signing keys. */
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

    interface Identity {
        /**
         * identity-svc's base URL, e.g. http://127.0.0.1:7401: its JWKS is read from
         * {@code <url>/oauth2/jwks} to verify access tokens.
         */
        String url();

        /** The {@code iss} of access tokens; defaults to {@link #url()}. */
        Optional<String> issuer();

        /** The {@code aud} access tokens carry. */
        @WithDefault("zerogate")
        String audience();

        /**
         * The client id (a service-account key id) policy-svc signs in to identity-svc with, to
         * follow its revocation log. With {@link #clientSecret()}; without them, identity-svc's
         * revocations do not reach the policy stream (a warning says so at start).
         */
        Optional<String> clientId();

        /** That key's secret ({@code zgsk_...}); keep it out of files others can read. */
        Optional<String> clientSecret();
    }

    interface Stream {
        /** How often a replica reads the changes other replicas committed. */
        @WithDefault("250ms")
        Duration pollInterval();

        /** Changes older than this leave the log; a subscriber resuming from before gets a new snapshot. */
        @WithDefault("7d")
        Duration logRetention();

        /** How long a revocation stays in snapshots: longer than any credential it invalidates lives. */
        @WithDefault("30d")
        Duration revocationRetention();

        /** Sent on idle streams. */
        @WithDefault("30s")
        Duration keepAliveInterval();

        /** A subscriber this many events behind is cut off (RESOURCE_EXHAUSTED) and resumes. */
        @WithDefault("10000")
        int maxLag();

        /**
         * Service accounts (ids) of relays: they may subscribe as SUBSCRIBER_KIND_RELAY and see
         * every network. Admins may too, for diagnosis. Empty: only admins.
         */
        Optional<java.util.List<String>> relayServiceAccounts();
    }

    interface Decisions {
        /** Most Authorize calls per second for one caller (token subject). */
        @WithDefault("50")
        int perCallerPerSecond();
    }

    interface Audit {
        /** Decisions waiting to be written; when full, Authorize answers UNAVAILABLE rather than go unaudited. */
        @WithDefault("50000")
        int queueCapacity();

        /** How often queued decisions are written, in one batch. */
        @WithDefault("100ms")
        Duration flushInterval();
    }

    interface Limits {
        @WithDefault("1000")
        int remoteNetworks();

        @WithDefault("100")
        int connectorsPerNetwork();

        @WithDefault("10000")
        int resources();

        @WithDefault("10000")
        int groups();

        @WithDefault("10000")
        int rules();
    }
}
