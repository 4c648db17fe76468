package dev.zerogate.servicekit.keys;

import dev.zerogate.servicekit.secret.SecretSealer;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Key generation, the published JWK and the sealed private key, without any container. */
class SigningKeyMaterialTest {

    @TempDir
    Path dir;

    SigningKeyMaterial material(String prefix) {
        return new SigningKeyMaterial(SecretSealer.loadOrCreate(dir.resolve("master.key")), prefix, "test key");
    }

    @Test
    void publishesAnEs256PublicJwkNamedByItsThumbprint() throws Exception {
        SigningKeyMaterial.Generated key = material("k:").generate();
        JsonWebKey jwk = JsonWebKey.Factory.newJwk(key.publicJwk());
        assertEquals(key.kid(), jwk.getKeyId());
        assertEquals(key.kid(), jwk.calculateBase64urlEncodedThumbprint("SHA-256"));
        assertEquals("ES256", jwk.getAlgorithm());
        assertEquals("sig", jwk.getUse());
        assertTrue(key.publicJwk().contains("\"crv\":\"P-256\""), key.publicJwk());
        assertFalse(key.publicJwk().contains("\"d\""), "private key material in the JWK: " + key.publicJwk());
    }

    @Test
    void everyKeyIsNew() {
        SigningKeyMaterial material = material("k:");
        assertNotEquals(material.generate().kid(), material.generate().kid());
    }

    @Test
    void sealedPrivateKeyOpensAndSignsForItsPublicKey() throws Exception {
        SigningKeyMaterial material = material("k:");
        SigningKeyMaterial.Generated key = material.generate();
        PrivateKey opened = material.open(key.kid(), key.privateKeySealed());

        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload("hello");
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        jws.setKey(opened);
        String compact = jws.getCompactSerialization();

        JsonWebSignature check = new JsonWebSignature();
        check.setCompactSerialization(compact);
        check.setKey(((PublicJsonWebKey) JsonWebKey.Factory.newJwk(key.publicJwk())).getPublicKey());
        assertTrue(check.verifySignature());
    }

    @Test
    void storedPrivateKeyIsSealedNotPlainPkcs8() {
        byte[] sealed = material("k:").generate().privateKeySealed();
        assertEquals(1, sealed[0], "sealed-format version");
        assertThrows(Exception.class, () -> KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(sealed)));
    }

    @Test
    void sealedKeyOpensOnlyUnderItsOwnKidAndPrefix() {
        SigningKeyMaterial material = material("signing-key:");
        SigningKeyMaterial.Generated one = material.generate();
        SigningKeyMaterial.Generated other = material.generate();
        assertThrows(IllegalArgumentException.class, () -> material.open(other.kid(), one.privateKeySealed()));
        assertThrows(IllegalArgumentException.class,
                () -> material("grant-signing-key:").open(one.kid(), one.privateKeySealed()));
    }

    @Test
    void describingAGeneratedKeyNamesOnlyItsKid() {
        SigningKeyMaterial.Generated key = material("k:").generate();
        assertEquals("Generated[kid=" + key.kid() + "]", key.toString());
    }
}
