package dev.zerogate.servicekit.token;

import dev.zerogate.servicekit.token.TokenRejectedException.Reason;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every way an access token can be wrong is refused, with the right reason; a good one passes. */
class AccessTokenVerifierTest {

    static final String ISSUER = "https://zerogate.test";
    static final String AUDIENCE = "zerogate";
    static final KeyPair KEY = newKey();
    static final KeyPair OTHER_KEY = newKey();
    static final String KID = "key-1";
    static final String JWKS = jwks(KEY, KID);
    static final String DEVICE_JKT = "x4Y0V4hBVSsvEV-ZIXvSJmB6g0o6LSSi9QbE1wX9e8c";

    final AccessTokenVerifier verifier = new AccessTokenVerifier(ISSUER, AUDIENCE, Duration.ofSeconds(30));

    static KeyPair newKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String jwks(KeyPair pair, String kid) {
        try {
            PublicJsonWebKey jwk = PublicJsonWebKey.Factory.newPublicJwk(pair.getPublic());
            jwk.setKeyId(kid);
            jwk.setAlgorithm("ES256");
            return "{\"keys\":[" + jwk.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY) + "]}";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static JwtClaimsBuilder goodClaims() {
        Instant now = Instant.now();
        return Jwt.issuer(ISSUER).subject("user-1").audience(AUDIENCE)
                .issuedAt(now).expiresAt(now.plusSeconds(600))
                .claim("jti", "t-1").claim("sid", "s-1").groups(Set.of("family"))
                .claim("amr", List.of("pwd", "otp")).claim("auth_time", now.getEpochSecond() - 60)
                .claim("zg_dev", "d-1").claim("zg_kind", "user");
    }

    static String sign(JwtClaimsBuilder claims) {
        return claims.jws().keyId(KID).algorithm(SignatureAlgorithm.ES256).header("typ", "at+jwt").sign(KEY.getPrivate());
    }

    static String signed(UnaryOperator<JwtClaimsBuilder> change) {
        return sign(change.apply(goodClaims()));
    }

    static String withPayloadReplaced(String token, String from, String to) {
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace(from, to);
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }

    static String joseToken(String alg, java.security.Key key, String payload, String kid) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(payload);
            jws.setAlgorithmHeaderValue(alg);
            jws.setHeader("typ", "at+jwt");
            if (kid != null) {
                jws.setKeyIdHeaderValue(kid);
            }
            if (AlgorithmIdentifiers.NONE.equals(alg)) {
                jws.setAlgorithmConstraints(org.jose4j.jwa.AlgorithmConstraints.NO_CONSTRAINTS);
                return jws.getCompactSerialization();
            }
            jws.setKey(key);
            jws.setDoKeyValidation(false);
            return jws.getCompactSerialization();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String goodPayload() {
        String[] parts = sign(goodClaims()).split("\\.");
        return new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    }

    static Stream<Arguments> badTokens() {
        Instant now = Instant.now();
        String good = sign(goodClaims());
        return Stream.of(
                Arguments.of("expired", signed(c -> c.issuedAt(now.minusSeconds(1200)).expiresAt(now.minusSeconds(600))), Reason.EXPIRED),
                Arguments.of("not yet valid", signed(c -> c.claim("nbf", now.plusSeconds(600).getEpochSecond())), Reason.NOT_YET_VALID),
                Arguments.of("issued in the future", signed(c -> c.issuedAt(now.plusSeconds(600)).expiresAt(now.plusSeconds(1200))), Reason.NOT_YET_VALID),
                Arguments.of("wrong issuer", signed(c -> c.issuer("https://evil.test")), Reason.WRONG_ISSUER),
                Arguments.of("wrong audience", signed(c -> c.audience("someone-else")), Reason.WRONG_AUDIENCE),
                Arguments.of("alg none", joseToken(AlgorithmIdentifiers.NONE, null, goodPayload(), KID), Reason.UNSUPPORTED_ALGORITHM),
                Arguments.of("HS256 keyed with the public key", joseToken(AlgorithmIdentifiers.HMAC_SHA256,
                        new HmacKey(JWKS.getBytes(StandardCharsets.UTF_8)), goodPayload(), KID), Reason.UNSUPPORTED_ALGORITHM),
                Arguments.of("unknown kid", goodClaims().jws().keyId("key-9").algorithm(SignatureAlgorithm.ES256)
                        .header("typ", "at+jwt").sign(KEY.getPrivate()), Reason.UNKNOWN_KEY),
                Arguments.of("no kid", goodClaims().jws().algorithm(SignatureAlgorithm.ES256)
                        .header("typ", "at+jwt").sign(KEY.getPrivate()), Reason.UNKNOWN_KEY),
                Arguments.of("signed by another key under our kid", goodClaims().jws().keyId(KID).algorithm(SignatureAlgorithm.ES256)
                        .header("typ", "at+jwt").sign(OTHER_KEY.getPrivate()), Reason.BAD_SIGNATURE),
                Arguments.of("tampered payload", withPayloadReplaced(good, "\"user-1\"", "\"admin\""), Reason.BAD_SIGNATURE),
                Arguments.of("an ID token, not an access token", goodClaims().jws().keyId(KID).algorithm(SignatureAlgorithm.ES256)
                        .header("typ", "JWT").sign(KEY.getPrivate()), Reason.WRONG_TYPE),
                Arguments.of("missing sid", sign(Jwt.issuer(ISSUER).subject("user-1").audience(AUDIENCE).issuedAt(now)
                        .expiresAt(now.plusSeconds(600)).claim("jti", "t-1").claim("auth_time", now.getEpochSecond())), Reason.MISSING_CLAIM),
                Arguments.of("missing principal kind", sign(Jwt.issuer(ISSUER).subject("user-1").audience(AUDIENCE).issuedAt(now)
                        .expiresAt(now.plusSeconds(600)).claim("jti", "t-1").claim("sid", "s-1")
                        .claim("auth_time", now.getEpochSecond())), Reason.MISSING_CLAIM),
                Arguments.of("unknown principal kind", signed(c -> c.claim("zg_kind", "root")), Reason.MALFORMED),
                Arguments.of("not a JWT at all", "hello.world", Reason.MALFORMED),
                Arguments.of("empty", "", Reason.MALFORMED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void badTokenIsRejectedWithItsReason(String name, String token, Reason expected) {
        TokenRejectedException e = assertThrows(TokenRejectedException.class, () -> verifier.verify(token, JWKS, Optional.empty()));
        assertEquals(expected, e.reason(), e.getMessage());
    }

    @Test
    void goodTokenYieldsItsClaims() throws Exception {
        VerifiedAccessToken token = verifier.verify(sign(goodClaims()), JWKS, Optional.empty());
        assertEquals("user-1", token.subject());
        assertEquals(PrincipalKind.USER, token.kind());
        assertEquals("s-1", token.sessionId());
        assertEquals(Set.of("family"), token.groups());
        assertEquals(Optional.of("d-1"), token.deviceId());
        assertEquals(List.of("pwd", "otp"), token.authenticationMethods());
        assertEquals(Optional.empty(), token.deviceKeyThumbprint());
    }

    @Test
    void keyBoundTokenNeedsTheKey() throws Exception {
        String bound = signed(c -> c.claim("cnf", Map.of("jkt", DEVICE_JKT)));
        assertEquals(Reason.KEY_BINDING_MISSING, assertThrows(TokenRejectedException.class,
                () -> verifier.verify(bound, JWKS, Optional.empty())).reason());
        assertEquals(Reason.KEY_BINDING_MISMATCH, assertThrows(TokenRejectedException.class,
                () -> verifier.verify(bound, JWKS, Optional.of("someone-elses-key-thumbprint"))).reason());
        assertEquals(Optional.of(DEVICE_JKT), verifier.verify(bound, JWKS, Optional.of(DEVICE_JKT)).deviceKeyThumbprint());
    }

    @Test
    void aTokenOfARotatedOutKeyIsUnknownOnceTheKeySetDropsIt() throws Exception {
        String token = sign(goodClaims());
        verifier.verify(token, JWKS, Optional.empty());
        String rotated = jwks(OTHER_KEY, "key-2");
        assertEquals(Reason.UNKNOWN_KEY, assertThrows(TokenRejectedException.class,
                () -> verifier.verify(token, rotated, Optional.empty())).reason());
    }

    @Test
    void keyIdIsReadWithoutVerification() {
        assertEquals(Optional.of(KID), AccessTokenVerifier.keyIdOf(sign(goodClaims())));
        assertEquals(Optional.empty(), AccessTokenVerifier.keyIdOf("garbage"));
    }
}
