package dev.zerogate.policy.grant;

import dev.zerogate.policy.grant.GrantIssuer.IssuedGrant;
import dev.zerogate.servicekit.grant.AccessGrantVerifier;
import dev.zerogate.servicekit.grant.GrantClaims;
import dev.zerogate.servicekit.grant.GrantRejectedException;
import dev.zerogate.servicekit.grant.GrantRejectedException.Reason;
import dev.zerogate.servicekit.grant.VerifiedGrant;
import org.jose4j.json.JsonUtil;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Grants as policy-svc signs them, checked by the verifier relays and connectors use. No container. */
class GrantIssuerTest {

    static final String ISSUER = "zerogate-policy";
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00.250Z");
    static final String DEVICE_JKT = "x4Y0V4hBVSsvEV-ZIXvSJmB6g0o6LSSi9QbE1wX9e8c";
    static final KeyPair KEY = newKey();
    static final String KID = "grant-key-1";
    static final String JWKS = jwks(KEY, KID);

    final GrantIssuer issuer = new GrantIssuer(() -> new GrantIssuer.SigningKey(KID, KEY.getPrivate()), ISSUER, Duration.ofMinutes(5));

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

    static AccessGrantVerifier verifier(String audience, Instant now) {
        return new AccessGrantVerifier(ISSUER, audience, Duration.ofSeconds(30), Clock.fixed(now, ZoneOffset.UTC));
    }

    static GrantRequest request(String protocol, int port, Optional<String> device, Optional<Instant> notAfter) {
        return new GrantRequest("decision-1", "user-1", "session-1", "network-1", "resource-1", "rule-1", "nas.home.lan",
                protocol, port, device, DEVICE_JKT, NOW, notAfter);
    }

    static GrantRequest tcp443(Optional<Instant> notAfter) {
        return request("tcp", 443, Optional.of("device-1"), notAfter);
    }

    static Map<String, Object> json(String base64url) throws Exception {
        return JsonUtil.parseJson(new String(Base64.getUrlDecoder().decode(base64url), StandardCharsets.UTF_8));
    }

    @Test
    void issuedGrantVerifiesForRelaysAndConnectorsAndCoversItsFlow() throws Exception {
        IssuedGrant grant = issuer.issue(tcp443(Optional.empty()));

        VerifiedGrant atRelay = verifier(GrantClaims.RELAY_AUDIENCE, NOW).verify(grant.token(), JWKS);
        VerifiedGrant atConnector = verifier(GrantClaims.CONNECTOR_AUDIENCE, NOW).verify(grant.token(), JWKS);
        assertEquals(atRelay, atConnector);
        assertEquals(new VerifiedGrant("decision-1", "user-1", "session-1", "network-1", "resource-1", "rule-1",
                "nas.home.lan", "tcp", 443, Optional.of("device-1"), DEVICE_JKT,
                Instant.parse("2026-12-01T10:00:00Z"), Instant.parse("2026-12-01T10:05:00Z")), atRelay);

        AccessGrantVerifier relay = verifier(GrantClaims.RELAY_AUDIENCE, NOW);
        assertDoesNotThrow(() -> relay.checkFlow(atRelay, "nas.home.lan", "tcp", 443, DEVICE_JKT));
        assertEquals(Reason.PORT_MISMATCH, assertThrows(GrantRejectedException.class,
                () -> relay.checkFlow(atRelay, "nas.home.lan", "tcp", 22, DEVICE_JKT)).reason());
        assertEquals(Reason.KEY_BINDING_MISMATCH, assertThrows(GrantRejectedException.class,
                () -> relay.checkFlow(atRelay, "nas.home.lan", "tcp", 443, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")).reason());
    }

    @Test
    void grantHeaderNamesItsTypeAlgorithmAndKey() throws Exception {
        String token = issuer.issue(tcp443(Optional.empty())).token();
        assertEquals(Map.of("typ", "zg-grant+jwt", "alg", "ES256", "kid", KID), json(token.split("\\.")[0]));
        Map<String, Object> claims = json(token.split("\\.")[1]);
        assertEquals(List.of("zerogate-relay", "zerogate-connector"), claims.get("aud"));
        assertEquals("decision-1", claims.get("jti"));
        assertEquals(Map.of("jkt", DEVICE_JKT), claims.get("cnf"));
    }

    @Test
    void grantLivesFiveMinutesWhenItsRuleLastsLonger() {
        IssuedGrant grant = issuer.issue(tcp443(Optional.of(NOW.plus(Duration.ofHours(2)))));
        assertEquals(Instant.parse("2026-12-01T10:05:00Z").getEpochSecond(), grant.expiresAt().getEpochSecond());
        assertEquals(0, grant.expiresAt().getNano());
    }

    @Test
    void expiryIsClampedToTheRulesEndRoundedDown() throws Exception {
        Instant ruleEnds = Instant.parse("2026-12-01T10:01:30.900Z");
        IssuedGrant grant = issuer.issue(tcp443(Optional.of(ruleEnds)));
        Instant expected = Instant.parse("2026-12-01T10:01:30Z");
        assertEquals(expected.getEpochSecond(), grant.expiresAt().getEpochSecond());
        assertEquals(expected, verifier(GrantClaims.RELAY_AUDIENCE, NOW).verify(grant.token(), JWKS).expiresAt());
    }

    @Test
    void alreadyExpiredGrantIsNotIssued() {
        for (Instant ruleEnds : List.of(NOW, NOW.minusSeconds(60), Instant.parse("2026-12-01T10:00:00.900Z"))) {
            assertThrows(IllegalArgumentException.class, () -> issuer.issue(tcp443(Optional.of(ruleEnds))), ruleEnds.toString());
        }
        // The first whole second after now is still a grant, if a short one.
        assertEquals(Instant.parse("2026-12-01T10:00:01Z").getEpochSecond(),
                issuer.issue(tcp443(Optional.of(Instant.parse("2026-12-01T10:00:01Z")))).expiresAt().getEpochSecond());
    }

    @Test
    void grantWithoutADeviceHasNoDeviceClaimAndIcmpHasPortZero() throws Exception {
        IssuedGrant grant = issuer.issue(request("icmp", 0, Optional.empty(), Optional.empty()));
        VerifiedGrant verified = verifier(GrantClaims.CONNECTOR_AUDIENCE, NOW).verify(grant.token(), JWKS);
        assertEquals(Optional.empty(), verified.deviceId());
        assertEquals("icmp", verified.protocol());
        assertEquals(0, verified.port());
        assertFalse(json(grant.token().split("\\.")[1]).containsKey("zg_dev"));
    }

    @Test
    void requestNoVerifierWouldAcceptIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> request("tcp", 0, Optional.empty(), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> request("icmp", 8, Optional.empty(), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> request("udp", 65536, Optional.empty(), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> request("sctp", 1, Optional.empty(), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new GrantRequest("decision-1", "user-1", "session-1", "network-1",
                "resource-1", "rule-1", "nas.home.lan", "tcp", 443, Optional.empty(), "", NOW, Optional.empty()));
    }

    @Test
    void lifetimeOverFiveMinutesIsRefusedAtConstruction() {
        assertThrows(IllegalArgumentException.class, () -> new GrantIssuer(() -> null, ISSUER, Duration.ofMinutes(6)));
        assertThrows(IllegalArgumentException.class, () -> new GrantIssuer(() -> null, ISSUER, Duration.ZERO));
    }

    @Test
    void shorterConfiguredLifetimeIsHonoured() throws Exception {
        GrantIssuer brief = new GrantIssuer(() -> new GrantIssuer.SigningKey(KID, KEY.getPrivate()), ISSUER, Duration.ofSeconds(60));
        IssuedGrant grant = brief.issue(tcp443(Optional.empty()));
        assertEquals(Instant.parse("2026-12-01T10:01:00Z"), verifier(GrantClaims.RELAY_AUDIENCE, NOW).verify(grant.token(), JWKS).expiresAt());
    }
}
