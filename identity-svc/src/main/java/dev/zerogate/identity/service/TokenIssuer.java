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

    /**
     * A connector's access token: {@code zg_kind} connector, {@code sub} its id, {@code sid}
     * its credential family, {@code zg_net} the remote network it serves.
     */
    public Uni<String> issueConnectorToken(String connectorId, String remoteNetworkId, String familyId) {
        return signingKeys.keySet().map(keys -> {
            Instant now = clock.instant();
            return Jwt.issuer(config.issuer())
                    .subject(connectorId)
                    .audience(config.tokens().audience())
                    .issuedAt(now)
                    .expiresAt(now.plus(config.tokens().connectorAccessTokenLifetime()))
                    .claim("jti", UUID.randomUUID().toString())
                    .claim(PrincipalKind.CLAIM, PrincipalKind.CONNECTOR.claimValue())
                    .claim("sid", familyId)
                    .claim("zg_net", remoteNetworkId)
                    .claim("amr", java.util.List.of("bootstrap"))
                    .claim("auth_time", now.getEpochSecond())
                    .jws()
                    .keyId(keys.activeKid())
                    .algorithm(SignatureAlgorithm.ES256)
                    .header("typ", ACCESS_TOKEN_TYPE)
                    .sign(keys.activeKey());
        });
    }

    /**
     * An OpenID Connect ID token (OIDC Core §2) for {@code clientId}: who logged in, when and
     * how, with {@code at_hash} tying it to the access token issued alongside.
     */
    public Uni<String> issueIdToken(IdTokenClaims claims) {
        return signingKeys.keySet().map(keys -> {
            Instant now = clock.instant();
            JwtClaimsBuilder builder = Jwt.issuer(config.issuer())
                    .subject(claims.subject())
                    .audience(claims.clientId())
                    .issuedAt(now)
                    .expiresAt(now.plus(config.tokens().accessTokenLifetime()))
                    .claim("auth_time", claims.authenticatedAt().getEpochSecond())
                    .claim("amr", claims.authenticationMethods())
                    .claim("sid", claims.sessionId())
                    .claim("azp", claims.clientId())
                    .claim("at_hash", atHash(claims.accessToken()))
                    .preferredUserName(claims.username())
                    .groups(claims.groups());
            claims.nonce().ifPresent(nonce -> builder.claim("nonce", nonce));
            claims.name().ifPresent(name -> builder.claim("name", name));
            claims.email().ifPresent(email -> builder.claim("email", email));
            return builder.jws()
                    .keyId(keys.activeKid())
                    .algorithm(SignatureAlgorithm.ES256)
                    .header("typ", "JWT")
                    .sign(keys.activeKey());
        });
    }

    /** An issued access token and how long it lives. */
    public record Issued(String accessToken, java.time.Duration lifetime) {
    }

    /** What an ID token says; {@code accessToken} only feeds {@code at_hash}. */
    public record IdTokenClaims(String subject, String username, String clientId, String sessionId,
                                java.util.Set<String> groups, java.util.List<String> authenticationMethods,
                                Instant authenticatedAt, java.util.Optional<String> nonce,
                                java.util.Optional<String> name, java.util.Optional<String> email, String accessToken) {
    }

    /** OIDC Core §3.1.3.6: left half of SHA-256 of the access token, base64url (ES256 → SHA-256). */
    static String atHash(String accessToken) {
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(accessToken.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(hash, 16));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
