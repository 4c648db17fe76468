package dev.zerogate.policy.grant;

import dev.zerogate.policy.config.PolicyConfig;
import dev.zerogate.servicekit.grant.GrantClaims;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Signs access grants: ES256 JWTs with header {@code typ: zg-grant+jwt} and the claims of the
 * contract's {@code AccessGrant}, with the active grant signing key. Synchronous and without I/O:
 * the key is the one {@link GrantSigningKeys} last loaded.
 *
 * <p>Guarantees: {@code exp} is {@code min(now + lifetime, notAfter)} rounded down to the second,
 * so a grant never outlives its rule or time window, and never lives more than 5 minutes; a grant
 * whose {@code exp} would not be after {@code now} is not issued at all.
 */
@Singleton
public class GrantIssuer {

    /** The key grants are signed with. */
    public record SigningKey(String kid, PrivateKey privateKey) {

        /** Names the key only: never its private part. */
        @Override
        public String toString() {
            return "SigningKey[kid=" + kid + "]";
        }
    }

    /**
     * A signed grant.
     *
     * @param token the JWS compact serialisation
     * @param expiresAt its {@code exp}, a whole second
     */
    public record IssuedGrant(String token, Instant expiresAt) {}

    private final Supplier<SigningKey> signingKey;
    private final String issuer;
    private final Duration lifetime;

    @Inject
    GrantIssuer(GrantSigningKeys keys, PolicyConfig config) {
        this(keys::signingKey, config.grants().issuer(), config.grants().lifetime());
    }

    /**
     * @param signingKey the active key, asked for at every issue (so a rotation takes effect at once)
     * @param issuer     the {@code iss}; verifiers are configured with the same
     * @param lifetime   how long a grant lives unless its rule ends sooner: more than 0, at most 5 minutes
     */
    public GrantIssuer(Supplier<SigningKey> signingKey, String issuer, Duration lifetime) {
        if (issuer == null || issuer.isBlank()) {
            throw new IllegalArgumentException("zerogate.policy.grants.issuer must not be empty");
        }
        if (lifetime.compareTo(Duration.ofSeconds(1)) < 0 || lifetime.compareTo(GrantClaims.MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException("zerogate.policy.grants.lifetime must be 1s to "
                    + GrantClaims.MAX_LIFETIME.toMinutes() + "m, not " + lifetime);
        }
        this.signingKey = signingKey;
        this.issuer = issuer;
        this.lifetime = lifetime;
    }

    /**
     * Signs the grant {@code request} describes.
     *
     * @throws IllegalArgumentException when the grant would already have expired at
     *                                  {@code request.now()} (its {@code notAfter} is not after it)
     */
    public IssuedGrant issue(GrantRequest request) {
        Instant now = request.now();
        Instant end = now.plus(lifetime);
        if (request.notAfter().isPresent() && request.notAfter().get().isBefore(end)) {
            end = request.notAfter().get();
        }
        // Whole seconds, rounded down: the grant ends at or before both limits, never after.
        long expiresAt = end.getEpochSecond();
        if (!Instant.ofEpochSecond(expiresAt).isAfter(now)) {
            throw new IllegalArgumentException("the grant would expire at or before its issue (its rule or time window ends by "
                    + Instant.ofEpochSecond(expiresAt) + ")");
        }

        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer);
        claims.setAudience(GrantClaims.AUDIENCES);
        claims.setSubject(request.subject());
        claims.setClaim("sid", request.sessionId());
        claims.setJwtId(request.decisionId());
        claims.setIssuedAt(NumericDate.fromSeconds(now.getEpochSecond()));
        claims.setExpirationTime(NumericDate.fromSeconds(expiresAt));
        claims.setClaim(GrantClaims.NETWORK, request.networkId());
        claims.setClaim(GrantClaims.RESOURCE, request.resourceId());
        claims.setClaim(GrantClaims.RULE, request.ruleId());
        claims.setClaim(GrantClaims.DESTINATION, request.destination());
        claims.setClaim(GrantClaims.PROTOCOL, request.protocol());
        claims.setClaim(GrantClaims.PORT, request.port());
        request.deviceId().ifPresent(device -> claims.setClaim(GrantClaims.DEVICE, device));
        claims.setClaim(GrantClaims.CONFIRMATION, Map.of(GrantClaims.KEY_THUMBPRINT, request.keyThumbprint()));

        SigningKey key = signingKey.get();
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(GrantClaims.ALGORITHM);
        jws.setKeyIdHeaderValue(key.kid());
        jws.setHeader("typ", GrantClaims.TYPE);
        jws.setKey(key.privateKey());
        String token;
        try {
            token = jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign a grant with key " + key.kid(), e);
        }
        if (token.length() > GrantClaims.MAX_TOKEN_LENGTH) {
            // Unreachable with the request's limits; checked because verifiers refuse longer grants.
            throw new IllegalStateException("grant is longer than " + GrantClaims.MAX_TOKEN_LENGTH + " bytes");
        }
        return new IssuedGrant(token, Instant.ofEpochSecond(expiresAt));
    }
}
