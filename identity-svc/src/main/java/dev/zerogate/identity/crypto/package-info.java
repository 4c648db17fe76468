/**
 * identity-svc's cryptographic helpers: password hashing (Argon2id), TOTP and its base32,
 * PKCE, opaque bearer secrets and the sealing of a refresh token's successor. Pure functions
 * over bytes and strings with no database, configuration or clock of their own, so each is
 * tested on its own against its RFC's vectors; the services in {@code service} decide when
 * to call them.
 */
package dev.zerogate.identity.crypto;
