package dev.zerogate.servicekit.token;

import dev.zerogate.servicekit.token.TokenRejectedException.Reason;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.lang.JoseException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies zerogate access tokens (ES256 JWTs, header {@code typ: at+jwt}) against a JSON Web
 * Key Set, with SmallRye JWT. Fails closed: anything it does not positively accept is rejected
 * with a {@link Reason}.
 *
 * <p>Checked in this order: compact JWS shape; header {@code alg} is ES256 (so {@code none}
 * and HMAC keyed with a public key are refused before any key is used); header {@code typ};
 * {@code kid} is in the key set; then SmallRye JWT verifies the signature with that one key,
 * {@code iss}, {@code aud}, {@code exp}/{@code nbf} (with clock skew) and the required claims;
 * last, a token bound to a device key ({@code cnf.jkt}) must be presented with that key.
 *
 * <p>Callers keep the key set fresh: on {@link Reason#UNKNOWN_KEY} they refetch the JWKS (at
 * most every 30 s) and call again; see {@link #keyIdOf(String)}. Thread-safe.
 */
public final class AccessTokenVerifier {

    public static final String ACCESS_TOKEN_TYPE = "at+jwt";
    private static final String ALGORITHM = "ES256";
    private static final Set<String> REQUIRED_CLAIMS = Set.of("sub", "exp", "iat", "jti", "sid", "auth_time", PrincipalKind.CLAIM);

    private final String issuer;
    private final String audience;
    private final Duration clockSkew;

    /** Parsers for one key set, one per kid; replaced whole when the key set text changes. */
    private record Keys(String jwksJson, Map<String, DefaultJWTParser> parsers) {
    }

    private volatile Keys keys = new Keys("", Map.of());

    public AccessTokenVerifier(String issuer, String audience, Duration clockSkew) {
        this.issuer = issuer;
        this.audience = audience;
        this.clockSkew = clockSkew;
    }

    /** The {@code kid} in the token's header, read without verifying anything. */
    public static Optional<String> keyIdOf(String token) {
        try {
            return Optional.ofNullable(JsonWebStructure.fromCompactSerialization(token).getKeyIdHeaderValue());
        } catch (JoseException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Verifies {@code token} against the keys of {@code jwksJson}.
     *
     * @param presentedKeyThumbprint RFC 7638 thumbprint of the key the caller proved it holds
     *                               (its TLS client certificate's key), if any
     */
    public VerifiedAccessToken verify(String token, String jwksJson, Optional<String> presentedKeyThumbprint)
            throws TokenRejectedException {
        VerifiedAccessToken verified = verifyIgnoringKeyBinding(token, jwksJson);
        if (verified.deviceKeyThumbprint().isPresent()) {
            if (presentedKeyThumbprint.isEmpty()) {
                throw new TokenRejectedException(Reason.KEY_BINDING_MISSING, "token is bound to a device key that was not presented");
            }
            if (!MessageDigest.isEqual(bytes(verified.deviceKeyThumbprint().get()), bytes(presentedKeyThumbprint.get()))) {
                throw new TokenRejectedException(Reason.KEY_BINDING_MISMATCH, "token is bound to another device key");
            }
        }
        return verified;
    }

    /**
     * Everything {@link #verify} checks except the key binding. Only for uses where holding
     * the token is enough by design, such as ending its session (RFC 7009): never to grant access.
     */
    public VerifiedAccessToken verifyIgnoringKeyBinding(String token, String jwksJson) throws TokenRejectedException {
        JsonWebStructure structure;
        try {
            structure = JsonWebStructure.fromCompactSerialization(token);
        } catch (JoseException | RuntimeException e) {
            throw new TokenRejectedException(Reason.MALFORMED, "not a compact JWS");
        }
        if (!(structure instanceof JsonWebSignature)) {
            throw new TokenRejectedException(Reason.MALFORMED, "an encrypted token is not an access token");
        }
        if (!ALGORITHM.equals(structure.getAlgorithmHeaderValue())) {
            throw new TokenRejectedException(Reason.UNSUPPORTED_ALGORITHM,
                    "algorithm " + printable(structure.getAlgorithmHeaderValue()) + " is not accepted");
        }
        if (!ACCESS_TOKEN_TYPE.equals(structure.getHeader("typ"))) {
            throw new TokenRejectedException(Reason.WRONG_TYPE, "not an access token (typ " + printable(structure.getHeader("typ")) + ")");
        }
        String kid = structure.getKeyIdHeaderValue();
        DefaultJWTParser parser = kid == null ? null : parsersFor(jwksJson).get(kid);
        if (parser == null) {
            throw new TokenRejectedException(Reason.UNKNOWN_KEY, "signing key " + printable(kid) + " is not known");
        }
        JsonWebToken jwt;
        try {
            jwt = parser.parse(token);
        } catch (ParseException e) {
            throw rejection(e);
        }
        // SmallRye checks exp and nbf; a token claiming to be issued in the future is as suspect.
        if (Instant.ofEpochSecond(jwt.getIssuedAtTime()).isAfter(Instant.now().plus(clockSkew))) {
            throw new TokenRejectedException(Reason.NOT_YET_VALID, "token is issued in the future");
        }
        return toVerified(jwt);
    }

    private Map<String, DefaultJWTParser> parsersFor(String jwksJson) throws TokenRejectedException {
        Keys current = keys;
        if (current.jwksJson().equals(jwksJson)) {
            return current.parsers();
        }
        Map<String, DefaultJWTParser> parsers = new HashMap<>();
        try {
            for (JsonWebKey key : new JsonWebKeySet(jwksJson).getJsonWebKeys()) {
                if (key.getKeyId() != null && ALGORITHM.equals(key.getAlgorithm()) && key.getKey() instanceof PublicKey publicKey) {
                    parsers.put(key.getKeyId(), new DefaultJWTParser(contextFor(publicKey)));
                }
            }
        } catch (JoseException e) {
            throw new TokenRejectedException(Reason.UNKNOWN_KEY, "the key set is not valid JWKS");
        }
        keys = new Keys(jwksJson, Map.copyOf(parsers));
        return keys.parsers();
    }

    private JWTAuthContextInfo contextFor(PublicKey key) {
        JWTAuthContextInfo context = new JWTAuthContextInfo();
        context.setPublicVerificationKey(key);
        context.setSignatureAlgorithm(Set.of(SignatureAlgorithm.ES256));
        context.setIssuedBy(issuer);
        context.setExpectedAudience(Set.of(audience));
        context.setClockSkew((int) clockSkew.toSeconds());
        context.setRequiredClaims(REQUIRED_CLAIMS);
        context.setRequireNamedPrincipal(true);
        return context;
    }

    private static TokenRejectedException rejection(ParseException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidJwtException invalid) {
                if (invalid.hasExpired()) {
                    return new TokenRejectedException(Reason.EXPIRED, "token has expired");
                }
                if (invalid.hasErrorCode(ErrorCodes.NOT_YET_VALID) || invalid.hasErrorCode(ErrorCodes.ISSUED_AT_INVALID_FUTURE)) {
                    return new TokenRejectedException(Reason.NOT_YET_VALID, "token is not valid yet");
                }
                if (invalid.hasErrorCode(ErrorCodes.ISSUER_INVALID) || invalid.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
                    return new TokenRejectedException(Reason.WRONG_ISSUER, "token is from another issuer");
                }
                if (invalid.hasErrorCode(ErrorCodes.AUDIENCE_INVALID) || invalid.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)) {
                    return new TokenRejectedException(Reason.WRONG_AUDIENCE, "token is for another audience");
                }
                if (invalid.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
                    return new TokenRejectedException(Reason.BAD_SIGNATURE, "signature does not verify");
                }
                if (invalid.hasErrorCode(ErrorCodes.EXPIRATION_MISSING) || invalid.hasErrorCode(ErrorCodes.SUBJECT_MISSING)) {
                    return new TokenRejectedException(Reason.MISSING_CLAIM, "a required claim is missing");
                }
            }
            if (String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("required claims")) {
                return new TokenRejectedException(Reason.MISSING_CLAIM, "a required claim is missing");
            }
        }
        return new TokenRejectedException(Reason.MALFORMED, "token does not verify");
    }

    private static VerifiedAccessToken toVerified(JsonWebToken jwt) throws TokenRejectedException {
        Object cnf = jwt.getClaim("cnf");
        Optional<String> jkt = Optional.empty();
        if (cnf != null) {
            Object thumbprint = cnf instanceof JsonObject object ? object.get("jkt")
                    : cnf instanceof Map<?, ?> map ? map.get("jkt") : null;
            if (thumbprint instanceof JsonString s) {
                thumbprint = s.getString();
            }
            if (!(thumbprint instanceof String value) || value.isEmpty()) {
                throw new TokenRejectedException(Reason.MALFORMED, "cnf claim has no jkt");
            }
            jkt = Optional.of(value);
        }
        Object authTime = jwt.getClaim("auth_time");
        if (!(authTime instanceof JsonNumber) && !(authTime instanceof Number)) {
            throw new TokenRejectedException(Reason.MISSING_CLAIM, "auth_time is not a number");
        }
        long authSeconds = authTime instanceof JsonNumber n ? n.longValue() : ((Number) authTime).longValue();
        PrincipalKind kind = stringClaim(jwt, PrincipalKind.CLAIM).flatMap(PrincipalKind::fromClaim).orElseThrow(
                () -> new TokenRejectedException(Reason.MALFORMED, "zg_kind names no known principal kind"));
        return new VerifiedAccessToken(jwt.getTokenID(), kind, jwt.getSubject(), stringClaim(jwt, "sid").orElseThrow(
                () -> new TokenRejectedException(Reason.MISSING_CLAIM, "sid is missing")),
                jwt.getGroups() == null ? Set.of() : Set.copyOf(jwt.getGroups()),
                stringClaim(jwt, "zg_dev"), stringList(jwt.getClaim("amr")),
                Instant.ofEpochSecond(authSeconds), Instant.ofEpochSecond(jwt.getExpirationTime()), jkt,
                stringClaim(jwt, "zg_net"));
    }

    private static Optional<String> stringClaim(JsonWebToken jwt, String name) {
        Object value = jwt.getClaim(name);
        if (value instanceof JsonString s) {
            return Optional.of(s.getString());
        }
        return value instanceof String s ? Optional.of(s) : Optional.empty();
    }

    private static List<String> stringList(Object value) {
        if (value instanceof Iterable<?> items) {
            List<String> strings = new java.util.ArrayList<>();
            for (Object item : items) {
                strings.add(item instanceof JsonString s ? s.getString() : String.valueOf(item));
            }
            return List.copyOf(strings);
        }
        return List.of();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Header values come from the caller: keep them short and plain in messages. */
    private static String printable(Object value) {
        String s = String.valueOf(value);
        s = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return s.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? s : "(unprintable)";
    }
}
