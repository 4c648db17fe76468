package dev.zerogate.identity;

import dev.zerogate.servicekit.token.PrincipalKind;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What an access token says about its holder.
 *
 * @param kind                  whom the token speaks for ({@code zg_kind})
 * @param subject               user, service-account or connector id ({@code sub})
 * @param username              the name people know the subject by ({@code preferred_username})
 * @param sessionId             the login session the token belongs to ({@code sid})
 * @param groups                zerogate group names ({@code groups})
 * @param deviceId              the enrolled device, if any ({@code zg_dev})
 * @param authenticationMethods how the holder proved who they are: pwd, otp, upstream ({@code amr})
 * @param authenticatedAt       when the holder last authenticated interactively ({@code auth_time})
 * @param deviceKeyThumbprint   RFC 7638 thumbprint of the device key the token is bound to
 *                              ({@code cnf.jkt}); a bound token is useless without that key
 */
public record AccessTokenClaims(PrincipalKind kind, String subject, String username, String sessionId, Set<String> groups, Optional<String> deviceId,
                                List<String> authenticationMethods, Instant authenticatedAt,
                                Optional<String> deviceKeyThumbprint) {

    public AccessTokenClaims {
        groups = Set.copyOf(groups);
        authenticationMethods = List.copyOf(authenticationMethods);
    }
}
