package dev.zerogate.servicekit.secret;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Set;

/**
 * Seals secrets at rest (signing keys, the CA key, TOTP secrets) under a master key: 32 random
 * bytes in a file only its owner may read, generated at first start. Sealing is AES-256-GCM with
 * a fresh 96-bit nonce per secret and the secret's name as associated data, so that a sealed
 * value copied to another row (another name) does not open.
 *
 * <p>Sealed layout: {@code version (1 byte, 1) | nonce (12 bytes) | ciphertext+tag}. Values
 * sealed by identity-svc's earlier {@code MasterKey} have exactly this layout and still open.
 *
 * <p>Pure Java and thread-safe; services wrap it in a bean that names the file and logs
 * {@link #generatedKey()} (this class logs nothing: it is also used outside Quarkus).
 */
public final class SecretSealer {

    /** Length of the master key and so of the key file: AES-256. */
    public static final int KEY_BYTES = 32;
    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private final SecureRandom random = new SecureRandom();
    private final SecretKeySpec key;
    private final Path keyFile;
    private final boolean generatedKey;

    private SecretSealer(byte[] key, Path keyFile, boolean generatedKey) {
        this.key = new SecretKeySpec(key, "AES");
        this.keyFile = keyFile;
        this.generatedKey = generatedKey;
    }

    /**
     * Reads the master key from {@code keyFile}, or generates it there (0600) if the file does
     * not exist. Several processes starting at once on one file all end up with the same key: the
     * file appears whole or not at all, and only the first creator's key is ever used.
     *
     * @throws IllegalStateException when the file is readable by others or has the wrong length
     *                               (refuse to start rather than run with a leaked or broken key)
     * @throws UncheckedIOException  when the file can be neither read nor created
     */
    public static SecretSealer loadOrCreate(Path keyFile) {
        try {
            if (Files.exists(keyFile)) {
                return new SecretSealer(read(keyFile), keyFile, false);
            }
            boolean created = create(keyFile);
            // Read back whatever is there now: ours, or the key of a process that won the race.
            return new SecretSealer(read(keyFile), keyFile, created);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the master key file " + keyFile, e);
        }
    }

    /** The file the master key lives in. */
    public Path keyFile() {
        return keyFile;
    }

    /** True when {@link #loadOrCreate} generated the key: the operator should back the file up. */
    public boolean generatedKey() {
        return generatedKey;
    }

    /** Seals {@code secret} under the master key, bound to {@code name}. */
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

    private static byte[] read(Path file) throws IOException {
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

    /**
     * Writes a new key to a private temporary file beside {@code file}, then links it into place.
     * A link never replaces an existing file, so of two racing creators exactly one wins and
     * nobody ever reads a half-written key.
     *
     * @return whether this call's key is the one in place
     */
    private static boolean create(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
        }
        byte[] bytes = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(bytes);
        // 0600 from the first byte on.
        Path temporary = Files.createTempFile(dir, ".master-key-", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE));
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(bytes));
                channel.force(true);
            }
            try {
                Files.createLink(file, temporary);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (UnsupportedOperationException | FileSystemException e) {
                // No hard links on this file system: create exclusively and write in place.
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE));
                } catch (FileAlreadyExistsException raced) {
                    return false;
                }
                Files.write(file, bytes);
                return true;
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
