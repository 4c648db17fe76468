package dev.zerogate.servicekit.token;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An access token whose signature, type, issuer, audience, lifetime and key binding held.
 *
 * @param tokenId             {@code jti}
 * @param kind                whom the token speaks for ({@code zg_kind})
 * @param subject             user, service-account or connector id
 * @param sessionId           the login session ({@code sid})
 * @param groups              zerogate group names
 * @param deviceId            {@code zg_dev}, if the token names a device
 * @param authenticationMethods {@code amr}
 * @param authenticatedAt     {@code auth_time}
 * @param expiresAt           {@code exp}
 * @param deviceKeyThumbprint {@code cnf.jkt}, if the token is bound to a device key
 * @param networkId           {@code zg_net}: a connector's remote network
 */
public record VerifiedAccessToken(String tokenId, PrincipalKind kind, String subject, String sessionId, Set<String> groups,
                                  Optional<String> deviceId, List<String> authenticationMethods,
                                  Instant authenticatedAt, Instant expiresAt, Optional<String> deviceKeyThumbprint,
                                  Optional<String> networkId) {
}
