package dev.zerogate.identity.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    /**
     * Browser clients (the OpenID Connect authorization code flow with PKCE), by client id:
     * {@code zerogate.identity.clients.<id>.redirect-uris}. Public clients: PKCE (S256) is
     * their proof, there is no client secret. Redirect URIs must match exactly.
     */
    Map<String, BrowserClient> clients();

    /**
     * Upstream OpenID providers people can log in with, by name (the name is part of the
     * callback state, never shown): {@code zerogate.identity.upstreams.<name>.issuer}, etc.
     */
    Map<String, Upstream> upstreams();

    interface BrowserClient {
        /**
         * The redirect URIs this client may use, compared character for character, except that
         * an {@code http} URI on 127.0.0.1, [::1] or localhost matches any port (RFC 8252 7.3).
         */
        List<String> redirectUris();
    }

    interface Upstream {
        /** The provider's issuer URL; its discovery document is read from it. */
        String issuer();

        /** The client id identity-svc is registered with at the provider. */
        String clientId();

        /** The client secret (ZEROGATE_IDENTITY_UPSTREAMS__NAME__CLIENT_SECRET); never logged. */
        String clientSecret();

        /** The label of the button on the login page, e.g. "Keycloak". Defaults to the name. */
        Optional<String> displayName();

        /** The ID-token (or userinfo) claim that lists the user's groups, e.g. groups, roles. */
        @WithDefault("groups")
        String groupsClaim();

        /** Scopes asked of the provider; add the one that releases the groups claim if it has one. */
        @WithDefault("openid email profile")
        String scopes();
    }

    Keys keys();

    Devices devices();

    /** The image in the ready-to-paste {@code docker run} line of a new connector. */
    @WithDefault("zerogate/connector:latest")
    String connectorImage();

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

        /**
         * How long after a refresh its spent refresh token is still accepted, for a client whose
         * response was lost: it gets the same successor and a new access token, never a second
         * live refresh token. Later, or once the successor is used, presenting it revokes the
         * session as reuse. {@code 0s} turns the grace off.
         */
        @WithDefault("30s")
        Duration refreshReuseGrace();

        /** How long a device login (RFC 8628) waits for the person to approve it. */
        @WithDefault("10m")
        Duration deviceCodeLifetime();

        /** Minimum time between two polls of a device login; {@code slow_down} adds 5 s. */
        @WithDefault("5s")
        Duration deviceCodeInterval();

        /** Lifetime of a connector's access token; it refreshes before it ends. */
        @WithDefault("15m")
        Duration connectorAccessTokenLifetime();

        /** How long a connector's bootstrap pair stays valid if unused (CreateConnector may set 5m to 7d). */
        @WithDefault("24h")
        Duration connectorBootstrapLifetime();

        /** How long an authorization code may wait to be redeemed (RFC 6749 §4.1.2: short). */
        @WithDefault("60s")
        Duration authorizationCodeLifetime();

        /** How long a login page (and a round trip to an upstream provider) stays usable. */
        @WithDefault("10m")
        Duration loginRequestLifetime();

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
