package dev.zerogate.servicekit.secret;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The master key file and the sealed format, without any container. */
class SecretSealerTest {

    @TempDir
    Path dir;

    @Test
    void firstStartGeneratesAnOwnerOnlyKeyFileOf256Bits() throws Exception {
        Path file = dir.resolve("keys/master.key");
        SecretSealer sealer = SecretSealer.loadOrCreate(file);
        assertTrue(sealer.generatedKey());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals(32, Files.size(file));
        try (var leftovers = Files.list(file.getParent())) {
            assertEquals(List.of(file), leftovers.toList(), "temporary files left beside the key");
        }
    }

    @Test
    void restartReadsTheSameKeyAndOpensWhatWasSealedBefore() {
        Path file = dir.resolve("master.key");
        byte[] sealed = SecretSealer.loadOrCreate(file).seal("signing-key:a", bytes("a private key"));
        SecretSealer again = SecretSealer.loadOrCreate(file);
        assertFalse(again.generatedKey());
        assertArrayEquals(bytes("a private key"), again.open("signing-key:a", sealed));
    }

    @Test
    void anotherMasterKeyCannotOpen() {
        byte[] sealed = SecretSealer.loadOrCreate(dir.resolve("one.key")).seal("n", bytes("secret"));
        SecretSealer other = SecretSealer.loadOrCreate(dir.resolve("two.key"));
        assertThrows(IllegalArgumentException.class, () -> other.open("n", sealed));
    }

    @Test
    void sealedSecretOpensOnlyUnderItsOwnName() {
        SecretSealer sealer = SecretSealer.loadOrCreate(dir.resolve("master.key"));
        byte[] sealed = sealer.seal("signing-key:a", bytes("a private key"));
        assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("a private key"));
        assertThrows(IllegalArgumentException.class, () -> sealer.open("signing-key:b", sealed));
    }

    @Test
    void alteredOrTruncatedSealedValueDoesNotOpen() {
        SecretSealer sealer = SecretSealer.loadOrCreate(dir.resolve("master.key"));
        byte[] sealed = sealer.seal("n", new byte[] {1, 2, 3});
        byte[] altered = sealed.clone();
        altered[altered.length - 1] ^= 1;
        byte[] otherVersion = sealed.clone();
        otherVersion[0] = 2;
        assertThrows(IllegalArgumentException.class, () -> sealer.open("n", altered));
        assertThrows(IllegalArgumentException.class, () -> sealer.open("n", otherVersion));
        assertThrows(IllegalArgumentException.class, () -> sealer.open("n", new byte[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> sealer.open("n", new byte[0]));
    }

    @Test
    void keyFileReadableByOthersIsRefused() throws Exception {
        Path file = dir.resolve("master.key");
        SecretSealer.loadOrCreate(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SecretSealer.loadOrCreate(file));
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
    }

    @Test
    void keyFileOfTheWrongLengthIsRefused() throws Exception {
        Path file = dir.resolve("master.key");
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, new byte[16]);
        assertThrows(IllegalStateException.class, () -> SecretSealer.loadOrCreate(file));
    }

    /** The layout identity-svc has stored since its first release, built here independently. */
    @Test
    void opensTheVersionOneLayoutByAnIndependentEncoder() throws Exception {
        Path file = dir.resolve("master.key");
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) i;
        }
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, key);
        byte[] nonce = new byte[12];
        nonce[11] = 7;
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        cipher.updateAAD(bytes("certificate-authority"));
        byte[] body = cipher.doFinal(bytes("ca key"));
        byte[] sealed = ByteBuffer.allocate(1 + 12 + body.length).put((byte) 1).put(nonce).put(body).array();

        assertArrayEquals(bytes("ca key"), SecretSealer.loadOrCreate(file).open("certificate-authority", sealed));
    }

    @Test
    void processesStartingAtOnceAllUseOneKey() throws Exception {
        Path file = dir.resolve("shared/master.key");
        byte[] sealed;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<SecretSealer>> starts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                starts.add(() -> SecretSealer.loadOrCreate(file));
            }
            List<SecretSealer> sealers = new ArrayList<>();
            for (Future<SecretSealer> started : pool.invokeAll(starts)) {
                sealers.add(started.get());
            }
            assertEquals(1, sealers.stream().filter(SecretSealer::generatedKey).count(), "creators");
            sealed = sealers.get(0).seal("n", bytes("shared"));
            Set<String> opened = new HashSet<>();
            for (SecretSealer sealer : sealers) {
                opened.add(new String(sealer.open("n", sealed), StandardCharsets.UTF_8));
            }
            assertEquals(Set.of("shared"), opened);
        } finally {
            pool.shutdownNow();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
