package dev.zerogate.servicekit.grant;

import dev.zerogate.servicekit.StepClock;

import dev.zerogate.servicekit.grant.GrantRejectedException.Reason;
import org.jose4j.json.JsonUtil;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way a grant can be wrong is refused with its reason; a good one passes and covers only its flow. */
class AccessGrantVerifierTest {

    static final String ISSUER = "zerogate-policy";
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    static final Duration SKEW = Duration.ofSeconds(30);
    static final KeyPair KEY = newKey();
    static final KeyPair OTHER_KEY = newKey();
    static final String KID = "grant-key-1";
    static final String JWKS = jwks(KEY, KID);
    static final String DEVICE_JKT = "x4Y0V4hBVSsvEV-ZIXvSJmB6g0o6LSSi9QbE1wX9e8c";
    static final String OTHER_JKT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

    final AccessGrantVerifier relay = verifierAt(NOW, GrantClaims.RELAY_AUDIENCE);

    static AccessGrantVerifier verifierAt(Instant now, String audience) {
        return new AccessGrantVerifier(ISSUER, audience, SKEW, Clock.fixed(now, ZoneOffset.UTC));
    }

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
            jwk.setUse("sig");
            return "{\"keys\":[" + jwk.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY) + "]}";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The claims policy-svc puts in a TCP grant issued ten seconds ago for five minutes. */
    static Map<String, Object> goodClaims() {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("aud", List.of(GrantClaims.RELAY_AUDIENCE, GrantClaims.CONNECTOR_AUDIENCE));
        claims.put("sub", "0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f00");
        claims.put("sid", "0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f01");
        claims.put("jti", "0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f02");
        claims.put("iat", NOW.getEpochSecond() - 10);
        claims.put("exp", NOW.getEpochSecond() + 290);
        claims.put("zg_net", "0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f03");
        claims.put("zg_res", "0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f04");
        claims.put("zg_rule", "0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f05");
        claims.put("zg_dst", "nas.home.lan");
        claims.put("zg_proto", "tcp");
        claims.put("zg_port", 443);
        claims.put("zg_dev", "0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f06");
        claims.put("cnf", Map.of("jkt", DEVICE_JKT));
        return claims;
    }

    static Map<String, Object> claimsWith(Consumer<Map<String, Object>> change) {
        Map<String, Object> claims = goodClaims();
        change.accept(claims);
        return claims;
    }

    static String sign(Map<String, Object> claims) {
        return sign(JsonUtil.toJson(claims), AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, GrantClaims.TYPE, KID, KEY.getPrivate());
    }

    static String sign(String payload, String alg, String typ, String kid, Key key) {
        return sign(payload, alg, typ, kid, key, Map.of());
    }

    static String sign(String payload, String alg, String typ, String kid, Key key, Map<String, Object> extraHeaders) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(payload);
            jws.setAlgorithmHeaderValue(alg);
            if (typ != null) {
                jws.setHeader("typ", typ);
            }
            if (kid != null) {
                jws.setKeyIdHeaderValue(kid);
            }
            extraHeaders.forEach((name, value) -> jws.getHeaders().setObjectHeaderValue(name, value));
            jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
            jws.setDoKeyValidation(false);
            if (key != null) {
                jws.setKey(key);
            }
            return jws.getCompactSerialization();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String withPayloadReplaced(String token, String from, String to) {
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        assertTrue(payload.contains(from), payload);
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                payload.replace(from, to).getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }

    static String accessToken() {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("aud", GrantClaims.RELAY_AUDIENCE);
        claims.put("sub", "user-1");
        claims.put("iat", NOW.getEpochSecond());
        claims.put("exp", NOW.getEpochSecond() + 600);
        claims.put("jti", "t-1");
        claims.put("sid", "s-1");
        return sign(JsonUtil.toJson(claims), "ES256", "at+jwt", KID, KEY.getPrivate());
    }

    static Stream<Arguments> badGrants() {
        String good = sign(goodClaims());
        String payload = JsonUtil.toJson(goodClaims());
        long now = NOW.getEpochSecond();
        return Stream.of(
                Arguments.of("typ JWT", sign(payload, "ES256", "JWT", KID, KEY.getPrivate()), Reason.WRONG_TYPE),
                Arguments.of("no typ", sign(payload, "ES256", null, KID, KEY.getPrivate()), Reason.WRONG_TYPE),
                Arguments.of("typ in another case", sign(payload, "ES256", "ZG-GRANT+JWT", KID, KEY.getPrivate()), Reason.WRONG_TYPE),
                Arguments.of("an access token (at+jwt) signed by the same key", accessToken(), Reason.WRONG_TYPE),
                Arguments.of("alg none", sign(payload, AlgorithmIdentifiers.NONE, GrantClaims.TYPE, KID, null), Reason.UNSUPPORTED_ALGORITHM),
                Arguments.of("HS256 keyed with the public key's encoding", sign(payload, AlgorithmIdentifiers.HMAC_SHA256, GrantClaims.TYPE, KID,
                        new HmacKey(KEY.getPublic().getEncoded())), Reason.UNSUPPORTED_ALGORITHM),
                Arguments.of("HS256 keyed with the JWKS text", sign(payload, AlgorithmIdentifiers.HMAC_SHA256, GrantClaims.TYPE, KID,
                        new HmacKey(JWKS.getBytes(StandardCharsets.UTF_8))), Reason.UNSUPPORTED_ALGORITHM),
                Arguments.of("ES384 name on a P-256 signature", sign(payload, "ES384", GrantClaims.TYPE, KID, KEY.getPrivate()),
                        Reason.UNSUPPORTED_ALGORITHM),
                Arguments.of("unknown kid", sign(payload, "ES256", GrantClaims.TYPE, "grant-key-9", KEY.getPrivate()), Reason.UNKNOWN_KEY),
                Arguments.of("no kid", sign(payload, "ES256", GrantClaims.TYPE, null, KEY.getPrivate()), Reason.UNKNOWN_KEY),
                Arguments.of("signed by another key under our kid", sign(payload, "ES256", GrantClaims.TYPE, KID, OTHER_KEY.getPrivate()),
                        Reason.BAD_SIGNATURE),
                Arguments.of("tampered port", withPayloadReplaced(good, "\"zg_port\":443", "\"zg_port\":22"), Reason.BAD_SIGNATURE),
                Arguments.of("signature cut off", good.substring(0, good.lastIndexOf('.') + 1), Reason.BAD_SIGNATURE),
                Arguments.of("critical header", sign(payload, "ES256", GrantClaims.TYPE, KID, KEY.getPrivate(),
                        Map.of("crit", List.of("exp"), "exp", now + 999)), Reason.MALFORMED),
                Arguments.of("wrong issuer", sign(claimsWith(c -> c.put("iss", "https://identity.zerogate.test"))), Reason.WRONG_ISSUER),
                Arguments.of("wrong audience", sign(claimsWith(c -> c.put("aud", List.of("zerogate")))), Reason.WRONG_AUDIENCE),
                Arguments.of("connectors only", sign(claimsWith(c -> c.put("aud", GrantClaims.CONNECTOR_AUDIENCE))), Reason.WRONG_AUDIENCE),
                Arguments.of("audience not strings", sign(claimsWith(c -> c.put("aud", List.of(GrantClaims.RELAY_AUDIENCE, 7)))),
                        Reason.INVALID_CLAIM),
                Arguments.of("expired beyond the skew", sign(claimsWith(c -> {
                    c.put("iat", now - 331);
                    c.put("exp", now - 31);
                })), Reason.EXPIRED),
                Arguments.of("issued in the future beyond the skew", sign(claimsWith(c -> {
                    c.put("iat", now + 31);
                    c.put("exp", now + 300);
                })), Reason.NOT_YET_VALID),
                Arguments.of("not before in the future", sign(claimsWith(c -> c.put("nbf", now + 60))), Reason.NOT_YET_VALID),
                Arguments.of("lifetime longer than five minutes and the skew", sign(claimsWith(c -> {
                    c.put("iat", now - 10);
                    c.put("exp", now - 10 + 331);
                })), Reason.LIFETIME_TOO_LONG),
                Arguments.of("a day-long grant", sign(claimsWith(c -> c.put("exp", now + 86_400))), Reason.LIFETIME_TOO_LONG),
                Arguments.of("expires before issue", sign(claimsWith(c -> {
                    c.put("iat", now);
                    c.put("exp", now - 5);
                })), Reason.INVALID_CLAIM),
                Arguments.of("exp not a number", sign(claimsWith(c -> c.put("exp", String.valueOf(now + 200)))), Reason.INVALID_CLAIM),
                Arguments.of("exp a fraction", sign(claimsWith(c -> c.put("exp", now + 200.5))), Reason.INVALID_CLAIM),
                Arguments.of("unknown protocol", sign(claimsWith(c -> c.put("zg_proto", "sctp"))), Reason.INVALID_CLAIM),
                Arguments.of("protocol in capitals", sign(claimsWith(c -> c.put("zg_proto", "TCP"))), Reason.INVALID_CLAIM),
                Arguments.of("protocol not a string", sign(claimsWith(c -> c.put("zg_proto", 6))), Reason.INVALID_CLAIM),
                Arguments.of("port above 65535", sign(claimsWith(c -> c.put("zg_port", 65_536))), Reason.INVALID_CLAIM),
                Arguments.of("negative port", sign(claimsWith(c -> c.put("zg_port", -1))), Reason.INVALID_CLAIM),
                Arguments.of("port 0 for tcp", sign(claimsWith(c -> c.put("zg_port", 0))), Reason.INVALID_CLAIM),
                Arguments.of("port 0 for udp", sign(claimsWith(c -> {
                    c.put("zg_proto", "udp");
                    c.put("zg_port", 0);
                })), Reason.INVALID_CLAIM),
                Arguments.of("icmp with a port", sign(claimsWith(c -> {
                    c.put("zg_proto", "icmp");
                    c.put("zg_port", 8);
                })), Reason.INVALID_CLAIM),
                Arguments.of("port as text", sign(claimsWith(c -> c.put("zg_port", "443"))), Reason.INVALID_CLAIM),
                Arguments.of("port a fraction", sign(claimsWith(c -> c.put("zg_port", 443.0))), Reason.INVALID_CLAIM),
                Arguments.of("subject not a string", sign(claimsWith(c -> c.put("sub", 42))), Reason.INVALID_CLAIM),
                Arguments.of("empty session", sign(claimsWith(c -> c.put("sid", ""))), Reason.INVALID_CLAIM),
                Arguments.of("destination longer than a DNS name", sign(claimsWith(c -> c.put("zg_dst", "a".repeat(254)))), Reason.INVALID_CLAIM),
                Arguments.of("device not a string", sign(claimsWith(c -> c.put("zg_dev", List.of("d")))), Reason.INVALID_CLAIM),
                Arguments.of("cnf not an object", sign(claimsWith(c -> c.put("cnf", DEVICE_JKT))), Reason.INVALID_CLAIM),
                Arguments.of("cnf.jkt not a string", sign(claimsWith(c -> c.put("cnf", Map.of("jkt", 1)))), Reason.INVALID_CLAIM),
                Arguments.of("claims not an object", sign("[1,2,3]", "ES256", GrantClaims.TYPE, KID, KEY.getPrivate()), Reason.MALFORMED),
                Arguments.of("longer than 4096 bytes", sign(claimsWith(c -> c.put("padding", "x".repeat(4096)))), Reason.MALFORMED),
                Arguments.of("not a JWS at all", "hello.world", Reason.MALFORMED),
                Arguments.of("empty", "", Reason.MALFORMED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badGrants")
    void badGrantIsRefusedWithItsReason(String name, String grant, Reason expected) {
        GrantRejectedException e = assertThrows(GrantRejectedException.class, () -> relay.verify(grant, JWKS));
        assertEquals(expected, e.reason(), e.getMessage());
    }

    @ParameterizedTest(name = "without {0}")
    @ValueSource(strings = {"iss", "aud", "exp", "iat", "sub", "sid", "jti", "zg_net", "zg_res", "zg_rule", "zg_dst", "zg_proto",
            "zg_port", "cnf"})
    void grantWithoutARequiredClaimIsRefused(String claim) {
        String grant = sign(claimsWith(c -> c.remove(claim)));
        GrantRejectedException e = assertThrows(GrantRejectedException.class, () -> relay.verify(grant, JWKS));
        assertEquals(Reason.MISSING_CLAIM, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(claim), e.getMessage());
    }

    @Test
    void grantBoundToNoKeyIsRefused() {
        String grant = sign(claimsWith(c -> c.put("cnf", Map.of())));
        GrantRejectedException e = assertThrows(GrantRejectedException.class, () -> relay.verify(grant, JWKS));
        assertEquals(Reason.MISSING_CLAIM, e.reason());
        assertTrue(e.getMessage().contains("cnf.jkt"), e.getMessage());
    }

    @Test
    void goodGrantYieldsItsClaims() throws Exception {
        VerifiedGrant grant = relay.verify(sign(goodClaims()), JWKS);
        assertEquals("0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f02", grant.decisionId());
        assertEquals("0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f00", grant.subject());
        assertEquals("0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f01", grant.sessionId());
        assertEquals("0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f03", grant.networkId());
        assertEquals("0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f04", grant.resourceId());
        assertEquals("0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f05", grant.ruleId());
        assertEquals("nas.home.lan", grant.destination());
        assertEquals("tcp", grant.protocol());
        assertEquals(443, grant.port());
        assertEquals(Optional.of("0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f06"), grant.deviceId());
        assertEquals(DEVICE_JKT, grant.keyThumbprint());
        assertEquals(NOW.minusSeconds(10), grant.issuedAt());
        assertEquals(NOW.plusSeconds(290), grant.expiresAt());
    }

    @Test
    void connectorsAcceptTheSameGrant() throws Exception {
        VerifiedGrant grant = verifierAt(NOW, GrantClaims.CONNECTOR_AUDIENCE).verify(sign(goodClaims()), JWKS);
        assertEquals("nas.home.lan", grant.destination());
    }

    @Test
    void grantWithoutDeviceOrWithIcmpOrAtTheEdgesOfTheSkewIsAccepted() throws Exception {
        long now = NOW.getEpochSecond();
        assertEquals(Optional.empty(), relay.verify(sign(claimsWith(c -> c.remove("zg_dev"))), JWKS).deviceId());
        VerifiedGrant ping = relay.verify(sign(claimsWith(c -> {
            c.put("zg_proto", "icmp");
            c.put("zg_port", 0);
        })), JWKS);
        assertEquals(0, ping.port());
        assertEquals(65535, relay.verify(sign(claimsWith(c -> c.put("zg_port", 65535))), JWKS).port());
        // Expired 29 s ago, issued 29 s ahead, living 5 min + 30 s: all within the 30 s skew.
        relay.verify(sign(claimsWith(c -> {
            c.put("iat", now - 300);
            c.put("exp", now - 29);
        })), JWKS);
        relay.verify(sign(claimsWith(c -> {
            c.put("iat", now + 29);
            c.put("exp", now + 200);
        })), JWKS);
        relay.verify(sign(claimsWith(c -> {
            c.put("iat", now - 10);
            c.put("exp", now - 10 + 330);
        })), JWKS);
        relay.verify(sign(claimsWith(c -> c.put("aud", GrantClaims.RELAY_AUDIENCE))), JWKS);
    }

    @Test
    void grantOfAKeyNoLongerInTheKeySetIsUnknown() throws Exception {
        String grant = sign(goodClaims());
        relay.verify(grant, JWKS);
        String rotated = jwks(OTHER_KEY, "grant-key-2");
        assertEquals(Reason.UNKNOWN_KEY, assertThrows(GrantRejectedException.class, () -> relay.verify(grant, rotated)).reason());
    }

    @Test
    void aGrantVerifiedOnceIsCheckedAgainstAKeyReplacedUnderItsKid() throws Exception {
        String grant = sign(goodClaims());
        relay.verify(grant, JWKS);
        // Same kid, another key: what was verified under the old key set proves nothing now.
        assertEquals(Reason.BAD_SIGNATURE, assertThrows(GrantRejectedException.class,
                () -> relay.verify(grant, jwks(OTHER_KEY, KID))).reason());
        // And the refusal did not spoil the grant under the key set it was signed for.
        assertEquals("0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f02", relay.verify(grant, JWKS).decisionId());
    }

    @Test
    void aGrantVerifiedOnceStillExpires() throws Exception {
        StepClock moving = new StepClock(NOW);
        AccessGrantVerifier verifier = new AccessGrantVerifier(ISSUER, GrantClaims.CONNECTOR_AUDIENCE, SKEW, moving);
        String grant = sign(goodClaims());
        for (int i = 0; i < 3; i++) {
            assertEquals(NOW.plusSeconds(290), verifier.verify(grant, JWKS).expiresAt());
        }
        moving.now = NOW.plusSeconds(290).plus(SKEW);
        assertEquals(Reason.EXPIRED, assertThrows(GrantRejectedException.class, () -> verifier.verify(grant, JWKS)).reason());
    }

    @Test
    void keyOfAnotherKindUnderOurKidIsNeverUsed() throws Exception {
        String rsa = RsaJwkGenerator.generateJwk(2048).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)
                .replaceFirst("\\{", "{\"kid\":\"" + KID + "\",");
        String keySet = "{\"keys\":[" + rsa + "]}";
        assertEquals(Reason.UNKNOWN_KEY, assertThrows(GrantRejectedException.class, () -> relay.verify(sign(goodClaims()), keySet)).reason());
        assertEquals(Reason.UNKNOWN_KEY, assertThrows(GrantRejectedException.class,
                () -> relay.verify(sign(goodClaims()), "not json")).reason());
    }

    @Test
    void grantCoversExactlyItsFlowForTheHolderOfItsKey() throws Exception {
        VerifiedGrant grant = relay.verify(sign(goodClaims()), JWKS);
        assertDoesNotThrow(() -> relay.checkFlow(grant, "nas.home.lan", "tcp", 443, DEVICE_JKT));
        assertDoesNotThrow(() -> relay.checkFlow(grant, "NAS.Home.LAN.", "tcp", 443, DEVICE_JKT));

        assertEquals(Reason.DESTINATION_MISMATCH, flowRefusal(grant, "printer.home.lan", "tcp", 443, DEVICE_JKT));
        assertEquals(Reason.DESTINATION_MISMATCH, flowRefusal(grant, "nas.home.lan.evil", "tcp", 443, DEVICE_JKT));
        assertEquals(Reason.DESTINATION_MISMATCH, flowRefusal(grant, null, "tcp", 443, DEVICE_JKT));
        assertEquals(Reason.PROTOCOL_MISMATCH, flowRefusal(grant, "nas.home.lan", "udp", 443, DEVICE_JKT));
        assertEquals(Reason.PROTOCOL_MISMATCH, flowRefusal(grant, "nas.home.lan", null, 443, DEVICE_JKT));
        assertEquals(Reason.PORT_MISMATCH, flowRefusal(grant, "nas.home.lan", "tcp", 444, DEVICE_JKT));
        assertEquals(Reason.KEY_BINDING_MISSING, flowRefusal(grant, "nas.home.lan", "tcp", 443, null));
        assertEquals(Reason.KEY_BINDING_MISSING, flowRefusal(grant, "nas.home.lan", "tcp", 443, ""));
        assertEquals(Reason.KEY_BINDING_MISMATCH, flowRefusal(grant, "nas.home.lan", "tcp", 443, OTHER_JKT));
        assertEquals(Reason.KEY_BINDING_MISMATCH, flowRefusal(grant, "nas.home.lan", "tcp", 443, DEVICE_JKT.substring(1)));
    }

    @Test
    void grantVerifiedEarlierNoLongerCoversAFlowOnceExpired() throws Exception {
        VerifiedGrant grant = relay.verify(sign(goodClaims()), JWKS);
        AccessGrantVerifier later = verifierAt(grant.expiresAt().plus(SKEW), GrantClaims.RELAY_AUDIENCE);
        GrantRejectedException e = assertThrows(GrantRejectedException.class,
                () -> later.checkFlow(grant, "nas.home.lan", "tcp", 443, DEVICE_JKT));
        assertEquals(Reason.EXPIRED, e.reason());
    }

    Reason flowRefusal(VerifiedGrant grant, String destination, String protocol, int port, String thumbprint) {
        return assertThrows(GrantRejectedException.class, () -> relay.checkFlow(grant, destination, protocol, port, thumbprint)).reason();
    }

    @Test
    void refusalMessagesNeverQuoteTheGrant() {
        String grant = sign(claimsWith(c -> c.put("iss", "someone-else")));
        GrantRejectedException e = assertThrows(GrantRejectedException.class, () -> relay.verify(grant, JWKS));
        for (String part : grant.split("\\.")) {
            assertTrue(!e.getMessage().contains(part), e.getMessage());
        }
    }

    @Test
    void keyIdIsReadWithoutVerification() {
        assertEquals(Optional.of(KID), AccessGrantVerifier.keyIdOf(sign(goodClaims())));
        assertEquals(Optional.empty(), AccessGrantVerifier.keyIdOf("garbage"));
    }

    @Test
    void verifierRefusesAnAudienceThatIsNoEnforcementPoint() {
        assertThrows(IllegalArgumentException.class, () -> new AccessGrantVerifier(ISSUER, "zerogate"));
    }

    /**
     * Any change to a good grant's characters is refused with a reason, or (base64url's unused
     * low bits in a segment's last character) decodes to the very same grant: never anything else,
     * and never an exception other than a refusal.
     */
    @Test
    void mutatedGrantIsRefusedOrUnchanged() throws Exception {
        String good = sign(goodClaims());
        VerifiedGrant original = relay.verify(good, JWKS);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ {}\"";
        Random random = new Random(20261201);
        int refused = 0;
        for (int i = 0; i < 1500; i++) {
            char[] chars = good.toCharArray();
            int changes = 1 + random.nextInt(3);
            for (int c = 0; c < changes; c++) {
                chars[random.nextInt(chars.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
            }
            String mutated = new String(chars);
            if (mutated.equals(good)) {
                continue;
            }
            try {
                assertEquals(original, relay.verify(mutated, JWKS), mutated);
            } catch (GrantRejectedException e) {
                refused++;
            }
        }
        assertTrue(refused > 1400, "refused " + refused);
    }
}
