package dev.zerogate.identity.service;

import dev.zerogate.identity.config.IdentityConfig;
import io.quarkus.logging.Log;
import jakarta.inject.Singleton;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Set;

/**
 * The key that seals secrets at rest (signing keys today): 32 random bytes in a file that
 * only the owner can read, generated at first start. Sealing is AES-256-GCM with a fresh
 * 96-bit nonce per secret and the secret's name as associated data, so that a sealed value
 * copied to another row does not open.
 *
 * <p>Sealed layout: {@code version (1 byte, 1) | nonce (12 bytes) | ciphertext+tag}.
 */
@Singleton
public class MasterKey {

    private static final byte VERSION = 1;
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");

    private final SecureRandom random = new SecureRandom();
    private final SecretKeySpec key;

    MasterKey(IdentityConfig config) {
        this.key = new SecretKeySpec(loadOrCreate(config.keys().masterKeyFile()), "AES");
    }

    private byte[] loadOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
                if (!OWNER_READ_WRITE.containsAll(permissions)) {
                    throw new IllegalStateException("master key file " + file + " is readable by others ("
                            + PosixFilePermissions.toString(permissions) + "); chmod 600 it");
                }
                byte[] bytes = Files.readAllBytes(file);
                if (bytes.length != KEY_BYTES) {
                    throw new IllegalStateException("master key file " + file + " holds " + bytes.length
                            + " bytes, expected " + KEY_BYTES);
                }
                return bytes;
            }
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            byte[] bytes = new byte[KEY_BYTES];
            random.nextBytes(bytes);
            // Created 0600 from the first byte on.
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE));
            Files.write(file, bytes);
            Log.infof("generated a new master key in %s (back it up: it opens the sealed signing keys)", file);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the master key file " + file, e);
        }
    }

    /** Seals {@code secret} under this key, bound to {@code name}. */
    public byte[] seal(String name, byte[] secret) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(secret);
            return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length).put(VERSION).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /**
     * Opens what {@link #seal} produced for the same {@code name}.
     *
     * @throws IllegalArgumentException when the value was sealed under another key or name,
     *                                  or was altered (fails closed: no partial plaintext)
     */
    public byte[] open(String name, byte[] sealed) {
        if (sealed.length < 1 + NONCE_BYTES + TAG_BITS / 8 || sealed[0] != VERSION) {
            throw new IllegalArgumentException("sealed value for " + name + " is malformed");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 1, NONCE_BYTES));
            cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(sealed, 1 + NONCE_BYTES, sealed.length - 1 - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException("sealed value for " + name + " does not open with this master key", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }
}
