package dev.zerogate.servicekit.grant;

import dev.zerogate.servicekit.grant.GrantRejectedException.Reason;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.lang.JoseException;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Verifies access grants offline, in relays and connectors: ES256 JWTs with header
 * {@code typ: zg-grant+jwt} that policy-svc signs with keys of its own, against the JSON Web
 * Key Set of those keys ({@code AuthorizationService.GetGrantSigningKeys}). Fails closed:
 * anything it does not positively accept is refused with a {@link Reason}.
 *
 * <p>Checked in this order: length and compact JWS shape; {@code alg} is ES256 (so {@code none}
 * and HMAC keyed with a public key are refused before any key is touched); {@code typ} is
 * exactly {@code zg-grant+jwt} (an access token, {@code at+jwt}, is not a grant); no
 * {@code crit}; {@code kid} is in the key set; the signature; then the claims: {@code iss},
 * {@code aud} contains this verifier's audience, {@code exp} not passed, {@code nbf} (if any)
 * and {@code iat} not in the future, {@code exp - iat} at most 5 minutes, and every required
 * claim present and well typed ({@code sub}, {@code sid}, {@code jti}, {@code zg_net},
 * {@code zg_res}, {@code zg_rule}, {@code zg_dst}, {@code zg_proto} in tcp/udp/icmp,
 * {@code zg_port} 1-65535 or exactly 0 for ICMP, {@code cnf.jkt}; {@code zg_dev} when present).
 * Every time comparison allows {@code clockSkew}.
 *
 * <p>Callers keep the key set fresh: on {@link Reason#UNKNOWN_KEY} they refetch the JWKS (at most
 * every 30 s) and call again; see {@link #keyIdOf(String)}. Thread-safe.
 */
public final class AccessGrantVerifier {

    /** Tolerated difference between the clocks of policy-svc and of the enforcement point. */
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);

    private static final List<String> REQUIRED_STRING_CLAIMS = List.of("sub", "sid", "jti",
            GrantClaims.NETWORK, GrantClaims.RESOURCE, GrantClaims.RULE, GrantClaims.DESTINATION);
    /** Ids and thumbprints are far shorter; a longer claim is not one of ours. */
    private static final int MAX_CLAIM_LENGTH = 256;

    private final String issuer;
    private final String audience;
    private final Duration clockSkew;
    private final Clock clock;

    /** The public keys of one key set by kid; replaced whole when the key set text changes. */
    private record Keys(String jwksJson, Map<String, PublicKey> byKid) {
    }

    private volatile Keys keys = new Keys("", Map.of());

    /** A grant whose signature held under the key set {@code jwksJson}, with its parsed claims. */
    private record VerifiedSignature(String jwksJson, JwtClaims claims, Instant expiresAt) {
    }

    /** Grants are short-lived and reused per destination; this bounds memory, not correctness. */
    static final int MAX_REMEMBERED_GRANTS = 4096;
    private static final int MAX_REMEMBERED_GRANT_LENGTH = 4096;
    private final Map<String, VerifiedSignature> verifiedSignatures = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param issuer   policy-svc's issuer name ({@code zerogate.policy.grants.issuer})
     * @param audience {@link GrantClaims#RELAY_AUDIENCE} or {@link GrantClaims#CONNECTOR_AUDIENCE}
     */
    public AccessGrantVerifier(String issuer, String audience, Duration clockSkew, Clock clock) {
        if (issuer == null || issuer.isBlank()) {
            throw new IllegalArgumentException("issuer is required");
        }
        if (!GrantClaims.AUDIENCES.contains(audience)) {
            throw new IllegalArgumentException("audience must be one of " + GrantClaims.AUDIENCES);
        }
        if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("clock skew must be 0 to 5 minutes");
        }
        this.issuer = issuer;
        this.audience = audience;
        this.clockSkew = clockSkew;
        this.clock = clock;
    }

    /** With the default clock skew (30 s) and the system clock. */
    public AccessGrantVerifier(String issuer, String audience) {
        this(issuer, audience, DEFAULT_CLOCK_SKEW, Clock.systemUTC());
    }

    /** The {@code kid} in the grant's header, read without verifying anything. */
    public static Optional<String> keyIdOf(String grant) {
        try {
            Object kid = JsonWebStructure.fromCompactSerialization(grant).getHeaders().getObjectHeaderValue("kid");
            return kid instanceof String s ? Optional.of(s) : Optional.empty();
        } catch (JoseException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Verifies {@code grant} against the keys of {@code jwksJson} (a JWK Set as JSON text).
     *
     * <p>A grant whose signature held is remembered by its exact text with the key set text it
     * held under: the client reuses one grant for every flow to the same destination and port
     * while it lives, and an ECDSA P-256 check costs the JDK about a millisecond, most of a
     * connector's cost per new flow. The same bytes under the same keys verify the same way, so
     * a hit only re-checks the claims against the clock (expiry); another key set text (a key
     * rotated or withdrawn) verifies afresh.
     */
    public VerifiedGrant verify(String grant, String jwksJson) throws GrantRejectedException {
        VerifiedSignature remembered = verifiedSignatures.get(grant);
        if (remembered != null && remembered.jwksJson().equals(jwksJson)) {
            return checkClaims(remembered.claims());
        }
        JsonWebSignature jws = parseHeader(grant);
        String kid = (String) header(jws, "kid");
        PublicKey key = kid == null ? null : keysOf(jwksJson).get(kid);
        if (key == null) {
            throw new GrantRejectedException(Reason.UNKNOWN_KEY, "grant signing key " + printable(kid) + " is not known");
        }
        String payload = verifiedPayload(jws, key);
        JwtClaims claims;
        try {
            claims = JwtClaims.parse(payload);
        } catch (InvalidJwtException | RuntimeException e) {
            throw new GrantRejectedException(Reason.MALFORMED, "grant claims are not a JSON object");
        }
        VerifiedGrant verified = checkClaims(claims);
        remember(grant, new VerifiedSignature(jwksJson, claims, verified.expiresAt()));
        return verified;
    }

    /** Bounded: expired grants go first; if that is not enough, everything (it is only a cache). */
    private void remember(String grant, VerifiedSignature verified) {
        if (grant.length() > MAX_REMEMBERED_GRANT_LENGTH) {
            return;
        }
        if (verifiedSignatures.size() >= MAX_REMEMBERED_GRANTS) {
            Instant now = clock.instant();
            verifiedSignatures.values().removeIf(entry -> !now.isBefore(entry.expiresAt().plus(clockSkew)));
            if (verifiedSignatures.size() >= MAX_REMEMBERED_GRANTS) {
                verifiedSignatures.clear();
            }
        }
        verifiedSignatures.put(grant, verified);
    }

    /**
     * Checks that a verified grant covers the flow being opened: the flow's TLS session proved the
     * grant's key, goes to the grant's destination, over its protocol, to its port, and the grant
     * has not expired since it was verified. Destinations compare as written, ignoring ASCII case
     * and one trailing dot (as policy-svc matches names); IP addresses must be written as in the
     * request the grant answers.
     *
     * @param presentedKeyThumbprint RFC 7638 thumbprint of the key the client's TLS session proved
     *                               (its certificate's key); null or empty when it proved none
     */
    public void checkFlow(VerifiedGrant grant, String destination, String protocol, int port, String presentedKeyThumbprint)
            throws GrantRejectedException {
        // The holder first: someone else's grant tells its presenter nothing more about itself.
        if (presentedKeyThumbprint == null || presentedKeyThumbprint.isEmpty()) {
            throw new GrantRejectedException(Reason.KEY_BINDING_MISSING, "grant is bound to a key that the session did not prove");
        }
        if (!MessageDigest.isEqual(utf8(grant.keyThumbprint()), utf8(presentedKeyThumbprint))) {
            throw new GrantRejectedException(Reason.KEY_BINDING_MISMATCH, "grant is bound to another key than the session's");
        }
        if (!clock.instant().isBefore(grant.expiresAt().plus(clockSkew))) {
            throw new GrantRejectedException(Reason.EXPIRED, "grant has expired");
        }
        if (destination == null || !normalisedDestination(grant.destination()).equals(normalisedDestination(destination))) {
            throw new GrantRejectedException(Reason.DESTINATION_MISMATCH, "grant is for another destination");
        }
        if (!grant.protocol().equals(protocol)) {
            throw new GrantRejectedException(Reason.PROTOCOL_MISMATCH, "grant is for " + grant.protocol() + ", not " + printable(protocol));
        }
        if (grant.port() != port) {
            throw new GrantRejectedException(Reason.PORT_MISMATCH, "grant is for port " + grant.port() + ", not " + port);
        }
    }

    /** Shape, algorithm, type and critical headers: everything decided before a key is chosen. */
    private static JsonWebSignature parseHeader(String grant) throws GrantRejectedException {
        if (grant == null || grant.isEmpty()) {
            throw new GrantRejectedException(Reason.MALFORMED, "no grant");
        }
        if (grant.length() > GrantClaims.MAX_TOKEN_LENGTH) {
            throw new GrantRejectedException(Reason.MALFORMED, "grant is longer than " + GrantClaims.MAX_TOKEN_LENGTH + " bytes");
        }
        JsonWebStructure structure;
        try {
            structure = JsonWebStructure.fromCompactSerialization(grant);
        } catch (JoseException | RuntimeException e) {
            throw new GrantRejectedException(Reason.MALFORMED, "grant is not a compact JWS");
        }
        if (!(structure instanceof JsonWebSignature jws)) {
            throw new GrantRejectedException(Reason.MALFORMED, "an encrypted token is not a grant");
        }
        Object alg = header(jws, "alg");
        if (!GrantClaims.ALGORITHM.equals(alg)) {
            throw new GrantRejectedException(Reason.UNSUPPORTED_ALGORITHM, "algorithm " + printable(alg) + " is not accepted");
        }
        Object typ = header(jws, "typ");
        if (!GrantClaims.TYPE.equals(typ)) {
            throw new GrantRejectedException(Reason.WRONG_TYPE, "not an access grant (typ " + printable(typ) + ")");
        }
        if (header(jws, "crit") != null) {
            throw new GrantRejectedException(Reason.MALFORMED, "grant has critical header parameters");
        }
        if (header(jws, "kid") != null && !(header(jws, "kid") instanceof String)) {
            throw new GrantRejectedException(Reason.MALFORMED, "kid is not a string");
        }
        return jws;
    }

    private static Object header(JsonWebSignature jws, String name) {
        return jws.getHeaders().getObjectHeaderValue(name);
    }

    private static String verifiedPayload(JsonWebSignature jws, PublicKey key) throws GrantRejectedException {
        boolean valid;
        try {
            jws.setAlgorithmConstraints(new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, GrantClaims.ALGORITHM));
            jws.setKey(key);
            valid = jws.verifySignature();
        } catch (JoseException | RuntimeException e) {
            valid = false;
        }
        if (!valid) {
            throw new GrantRejectedException(Reason.BAD_SIGNATURE, "grant signature does not verify");
        }
        try {
            return jws.getPayload();
        } catch (JoseException | RuntimeException e) {
            throw new GrantRejectedException(Reason.MALFORMED, "grant payload is not readable");
        }
    }

    private VerifiedGrant checkClaims(JwtClaims claims) throws GrantRejectedException {
        Instant now = clock.instant();
        Object iss = claims.getClaimValue("iss");
        if (iss == null) {
            throw missing("iss");
        }
        if (!issuer.equals(iss)) {
            throw new GrantRejectedException(Reason.WRONG_ISSUER, "grant is from another issuer");
        }
        checkAudience(claims.getClaimValue("aud"));

        Instant expiresAt = numericDate(claims, "exp");
        Instant issuedAt = numericDate(claims, "iat");
        if (!now.isBefore(expiresAt.plus(clockSkew))) {
            throw new GrantRejectedException(Reason.EXPIRED, "grant has expired");
        }
        if (claims.hasClaim("nbf") && numericDate(claims, "nbf").isAfter(now.plus(clockSkew))) {
            throw new GrantRejectedException(Reason.NOT_YET_VALID, "grant is not valid yet");
        }
        if (issuedAt.isAfter(now.plus(clockSkew))) {
            throw new GrantRejectedException(Reason.NOT_YET_VALID, "grant is issued in the future");
        }
        if (!expiresAt.isAfter(issuedAt)) {
            throw new GrantRejectedException(Reason.INVALID_CLAIM, "grant expires before it is issued");
        }
        if (Duration.between(issuedAt, expiresAt).compareTo(GrantClaims.MAX_LIFETIME.plus(clockSkew)) > 0) {
            throw new GrantRejectedException(Reason.LIFETIME_TOO_LONG, "grant lives longer than " + GrantClaims.MAX_LIFETIME.toMinutes() + " minutes");
        }

        Map<String, String> strings = new HashMap<>();
        for (String name : REQUIRED_STRING_CLAIMS) {
            strings.put(name, requiredString(claims.getClaimValue(name), name));
        }
        if (strings.get(GrantClaims.DESTINATION).length() > GrantClaims.MAX_DESTINATION_LENGTH) {
            throw new GrantRejectedException(Reason.INVALID_CLAIM, GrantClaims.DESTINATION + " is too long");
        }
        String protocol = requiredString(claims.getClaimValue(GrantClaims.PROTOCOL), GrantClaims.PROTOCOL);
        if (!GrantClaims.PROTOCOLS.contains(protocol)) {
            throw new GrantRejectedException(Reason.INVALID_CLAIM, GrantClaims.PROTOCOL + " " + printable(protocol) + " is not tcp, udp or icmp");
        }
        long port = integer(claims.getClaimValue(GrantClaims.PORT), GrantClaims.PORT);
        if (!GrantClaims.portFits(protocol, port)) {
            throw new GrantRejectedException(Reason.INVALID_CLAIM, GrantClaims.PORT + " " + port + " does not fit " + protocol);
        }
        Optional<String> device = claims.hasClaim(GrantClaims.DEVICE)
                ? Optional.of(requiredString(claims.getClaimValue(GrantClaims.DEVICE), GrantClaims.DEVICE))
                : Optional.empty();
        String thumbprint = keyThumbprint(claims.getClaimValue(GrantClaims.CONFIRMATION));

        return new VerifiedGrant(strings.get("jti"), strings.get("sub"), strings.get("sid"), strings.get(GrantClaims.NETWORK),
                strings.get(GrantClaims.RESOURCE), strings.get(GrantClaims.RULE), strings.get(GrantClaims.DESTINATION),
                protocol, (int) port, device, thumbprint, issuedAt, expiresAt);
    }

    private void checkAudience(Object aud) throws GrantRejectedException {
        if (aud == null) {
            throw missing("aud");
        }
        List<?> audiences = aud instanceof List<?> list ? list : List.of(aud);
        for (Object value : audiences) {
            if (!(value instanceof String)) {
                throw new GrantRejectedException(Reason.INVALID_CLAIM, "aud holds a value that is not a string");
            }
        }
        if (!audiences.contains(audience)) {
            throw new GrantRejectedException(Reason.WRONG_AUDIENCE, "grant is not for " + audience);
        }
    }

    private static String keyThumbprint(Object cnf) throws GrantRejectedException {
        if (cnf == null) {
            throw missing(GrantClaims.CONFIRMATION);
        }
        if (!(cnf instanceof Map<?, ?> confirmation)) {
            throw new GrantRejectedException(Reason.INVALID_CLAIM, "cnf is not an object");
        }
        Object jkt = confirmation.get(GrantClaims.KEY_THUMBPRINT);
        if (jkt == null) {
            throw missing("cnf.jkt");
        }
        return requiredString(jkt, "cnf.jkt");
    }

    private static Instant numericDate(JwtClaims claims, String name) throws GrantRejectedException {
        return Instant.ofEpochSecond(integer(claims.getClaimValue(name), name));
    }

    /** A JSON integer within long range; grants carry whole seconds and whole ports only. */
    private static long integer(Object value, String name) throws GrantRejectedException {
        if (value == null) {
            throw missing(name);
        }
        if (value instanceof Long || value instanceof Integer) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger big && big.bitLength() < 64) {
            return big.longValue();
        }
        throw new GrantRejectedException(Reason.INVALID_CLAIM, name + " is not an integer");
    }

    private static String requiredString(Object value, String name) throws GrantRejectedException {
        if (value == null) {
            throw missing(name);
        }
        if (!(value instanceof String s) || s.isEmpty() || s.length() > MAX_CLAIM_LENGTH) {
            throw new GrantRejectedException(Reason.INVALID_CLAIM, name + " is not a non-empty string of at most " + MAX_CLAIM_LENGTH + " characters");
        }
        return s;
    }

    private static GrantRejectedException missing(String name) {
        return new GrantRejectedException(Reason.MISSING_CLAIM, "grant has no " + name);
    }

    private Map<String, PublicKey> keysOf(String jwksJson) throws GrantRejectedException {
        Keys current = keys;
        if (current.jwksJson().equals(jwksJson)) {
            return current.byKid();
        }
        Map<String, PublicKey> byKid = new HashMap<>();
        try {
            for (JsonWebKey key : new JsonWebKeySet(jwksJson).getJsonWebKeys()) {
                // Only P-256 signing keys for ES256; anything else in the set is ignored, never used.
                if (key.getKeyId() != null && key instanceof EllipticCurveJsonWebKey ec
                        && EllipticCurves.P_256.equals(ec.getCurveName())
                        && (key.getAlgorithm() == null || GrantClaims.ALGORITHM.equals(key.getAlgorithm()))
                        && (key.getUse() == null || "sig".equals(key.getUse()))) {
                    byKid.put(key.getKeyId(), ec.getECPublicKey());
                }
            }
        } catch (JoseException | RuntimeException e) {
            throw new GrantRejectedException(Reason.UNKNOWN_KEY, "the grant key set is not a valid JWKS");
        }
        keys = new Keys(jwksJson, Map.copyOf(byKid));
        return keys.byKid();
    }

    /** ASCII case folded (DNS names compare so; nothing else is folded) and one trailing dot dropped. */
    private static String normalisedDestination(String destination) {
        StringBuilder folded = new StringBuilder(destination.length());
        for (int i = 0; i < destination.length(); i++) {
            char c = destination.charAt(i);
            folded.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        int end = folded.length();
        return end > 1 && folded.charAt(end - 1) == '.' ? folded.substring(0, end - 1) : folded.toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Header and claim values come from the client: keep them short and plain in messages. */
    private static String printable(Object value) {
        String s = String.valueOf(value);
        s = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return s.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? s : "(unprintable)";
    }
}
