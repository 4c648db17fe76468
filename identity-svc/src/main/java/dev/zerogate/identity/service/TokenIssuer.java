package dev.zerogate.identity.service;

import dev.zerogate.identity.AccessTokenClaims;
import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.servicekit.token.PrincipalKind;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Issues access tokens: JWTs (RFC 9068 profile, header {@code typ: at+jwt}) signed with the
 * active ES256 key, built with SmallRye JWT.
 */
@ApplicationScoped
public class TokenIssuer {

    /** The JOSE header type of access tokens (RFC 9068); grants and ID tokens use others. */
    public static final String ACCESS_TOKEN_TYPE = "at+jwt";

    private final SigningKeyService signingKeys;
    private final IdentityConfig config;
    private final Clock clock;

    TokenIssuer(SigningKeyService signingKeys, IdentityConfig config, Clock clock) {
        this.signingKeys = signingKeys;
        this.config = config;
        this.clock = clock;
    }

    /** A signed access token for {@code claims}, valid from now for the configured lifetime. */
    public Uni<String> issueAccessToken(AccessTokenClaims claims) {
        return signingKeys.keySet().map(keys -> {
            Instant now = clock.instant();
            JwtClaimsBuilder builder = Jwt.issuer(config.issuer())
                    .subject(claims.subject())
                    .audience(config.tokens().audience())
                    .issuedAt(now)
                    .expiresAt(now.plus(config.tokens().accessTokenLifetime()))
                    .claim("jti", UUID.randomUUID().toString())
                    .claim(PrincipalKind.CLAIM, claims.kind().claimValue())
                    .claim("sid", claims.sessionId())
                    .preferredUserName(claims.username())
                    .groups(claims.groups())
                    .claim("amr", claims.authenticationMethods())
                    .claim("auth_time", claims.authenticatedAt().getEpochSecond());
            claims.deviceId().ifPresent(device -> builder.claim("zg_dev", device));
            claims.deviceKeyThumbprint().ifPresent(jkt -> builder.claim("cnf", Map.of("jkt", jkt)));
            return builder.jws()
                    .keyId(keys.activeKid())
                    .algorithm(SignatureAlgorithm.ES256)
                    .header("typ", ACCESS_TOKEN_TYPE)
                    .sign(keys.activeKey());
        });
    }
}
