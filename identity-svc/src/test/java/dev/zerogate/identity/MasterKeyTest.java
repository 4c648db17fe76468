package dev.zerogate.identity;

import dev.zerogate.identity.service.MasterKey;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

@QuarkusTest
@IdentityDatabase
class MasterKeyTest {

    @Inject
    MasterKey masterKey;

    @ConfigProperty(name = "zerogate.identity.keys.master-key-file")
    Path file;

    @Test
    void keyFileIsOwnerOnlyAndHolds256Bits() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(32, Files.size(file));
    }

    @Test
    void sealedSecretOpensOnlyUnderItsOwnName() {
        byte[] secret = "a private key".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = masterKey.seal("signing-key:a", secret);
        assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("a private key"));
        assertArrayEquals(secret, masterKey.open("signing-key:a", sealed));
        assertThrows(IllegalArgumentException.class, () -> masterKey.open("signing-key:b", sealed));
    }

    @Test
    void alteredOrTruncatedSealedValueDoesNotOpen() {
        byte[] sealed = masterKey.seal("n", new byte[] {1, 2, 3});
        byte[] altered = sealed.clone();
        altered[altered.length - 1] ^= 1;
        assertThrows(IllegalArgumentException.class, () -> masterKey.open("n", altered));
        assertThrows(IllegalArgumentException.class, () -> masterKey.open("n", new byte[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> masterKey.open("n", new byte[0]));
    }
}
