package dev.zerogate.connector.credentials;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The connector's credentials on disk, in its state directory (0700), every file 0600 from its
 * first byte:
 * <ul>
 *   <li>{@code connector-N.key}: the private key of certificate generation N, PKCS#8 PEM;</li>
 *   <li>{@code connector-N.crt}: its certificate chain, PEM, leaf first;</li>
 *   <li>{@code trust-anchors-N.pem}: zerogate's root certificates, PEM;</li>
 *   <li>{@code credentials.json}: connector id, network id, the current generation N and the
 *       tokens (access token and expiry, refresh token and expiry).</li>
 * </ul>
 * Every file is written to a temporary file, fsynced and renamed over the old one, and the
 * directory is fsynced after. {@code credentials.json} is written last and is the commit point:
 * a new generation's files count only once it names them, so key, certificate and tokens change
 * together or not at all. Older generations are deleted after the commit.
 *
 * <p>When identity-svc refuses the credentials for good, {@link #markRevoked()} renames
 * {@code credentials.json} to {@code credentials.json.revoked}: the next start then bootstraps
 * with a new pair instead of trying dead credentials again.
 *
 * <p>Not thread-safe: one rotation thread uses it.
 */
public class CredentialStore {

    static final String CREDENTIALS = "credentials.json";
    static final String REVOKED = CREDENTIALS + ".revoked";
    static final int FORMAT = 1;
    static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Pattern GENERATION_FILE = Pattern.compile("(?:connector-(\\d+)\\.(?:key|crt)|trust-anchors-(\\d+)\\.pem)(?:\\.tmp)?");
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private final Path dir;
    /** The generation {@code credentials.json} names, -1 before the first load or save. */
    private long committedGeneration = -1;

    public CredentialStore(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    public Path directory() {
        return dir;
    }

    static String keyFile(long generation) {
        return "connector-" + generation + ".key";
    }

    static String chainFile(long generation) {
        return "connector-" + generation + ".crt";
    }

    static String trustAnchorsFile(long generation) {
        return "trust-anchors-" + generation + ".pem";
    }

    /** True when a previous run found its credentials revoked and has not bootstrapped since. */
    public boolean revokedEarlier() {
        return Files.exists(dir.resolve(REVOKED)) && !Files.exists(dir.resolve(CREDENTIALS));
    }

    /**
     * The stored credentials, or empty when there are none.
     *
     * @throws IllegalStateException when there are credentials that cannot be read or do not fit
     *                               together; the message says what and what to do
     */
    public Optional<Credentials> load() {
        Path file = dir.resolve(CREDENTIALS);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonObject json = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
            if (json.getInteger("format", 0) != FORMAT) {
                throw new IllegalArgumentException("unknown format " + json.getValue("format"));
            }
            long generation = json.getLong("certificate_generation");
            PrivateKey key = privateKey(Files.readString(dir.resolve(keyFile(generation)), StandardCharsets.US_ASCII));
            List<X509Certificate> chain = certificates(dir.resolve(chainFile(generation)));
            List<X509Certificate> anchors = certificates(dir.resolve(trustAnchorsFile(generation)));
            if (!keyMatches(key, chain.get(0))) {
                throw new IllegalArgumentException(chainFile(generation) + " is not the certificate of " + keyFile(generation));
            }
            CertificateGeneration certificate = new CertificateGeneration(generation, key, chain, anchors,
                    json.getString("certificate_serial"), Instant.parse(json.getString("certificate_renew_after")));
            Tokens tokens = new Tokens(json.getString("access_token"), Instant.parse(json.getString("access_token_expires_at")),
                    json.getString("refresh_token"), Instant.parse(json.getString("refresh_token_expires_at")));
            Credentials credentials = new Credentials(json.getString("connector_id"), json.getString("remote_network_id"), certificate,
                    tokens, Instant.parse(json.getString("tokens_received_at")));
            committedGeneration = generation;
            return Optional.of(credentials);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalStateException("the connector's credentials in " + dir + " cannot be used (" + describe(e)
                    + "); move " + CREDENTIALS + " away and provision the connector again",
                    // A parser's message may quote the file, tokens and all: keep it out of the logs.
                    e instanceof DecodeException ? null : e);
        }
    }

    /**
     * Writes {@code credentials} durably as the current ones (see the class comment for the
     * order). When this returns they survive a crash; when it throws, the previous credentials
     * are still the stored ones.
     */
    public void save(Credentials credentials) throws IOException {
        if (!Files.isDirectory(dir)) {
            // Normally StateDirectory made it at start; its permissions are StateDirectory's to check.
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, OWNER_ONLY_DIRECTORY);
        }
        CertificateGeneration certificate = credentials.certificate();
        long generation = certificate.number();
        if (generation != committedGeneration) {
            writeFile(keyFile(generation), pem("PRIVATE KEY", List.of(certificate.privateKey().getEncoded())));
            writeFile(chainFile(generation), pem("CERTIFICATE", encoded(certificate.chain())));
            writeFile(trustAnchorsFile(generation), pem("CERTIFICATE", encoded(certificate.trustAnchors())));
        }
        Tokens tokens = credentials.tokens();
        JsonObject json = new JsonObject()
                .put("format", FORMAT)
                .put("connector_id", credentials.connectorId())
                .put("remote_network_id", credentials.remoteNetworkId())
                .put("certificate_generation", generation)
                .put("certificate_serial", certificate.serial())
                .put("certificate_renew_after", certificate.renewAfter().toString())
                .put("access_token", tokens.accessToken())
                .put("access_token_expires_at", tokens.accessTokenExpiresAt().toString())
                .put("refresh_token", tokens.refreshToken())
                .put("refresh_token_expires_at", tokens.refreshTokenExpiresAt().toString())
                .put("tokens_received_at", credentials.tokensReceivedAt().toString());
        // The commit point: from here on the new generation and tokens are the stored ones.
        writeFile(CREDENTIALS, json.encodePrettily().getBytes(StandardCharsets.UTF_8));
        syncDirectory();
        committedGeneration = generation;
        Files.deleteIfExists(dir.resolve(REVOKED));
        deleteGenerationsOtherThan(generation);
    }

    /** Sets the current credentials aside as revoked (see the class comment). */
    public void markRevoked() throws IOException {
        Path file = dir.resolve(CREDENTIALS);
        if (Files.exists(file)) {
            Files.move(file, dir.resolve(REVOKED), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory();
        }
        committedGeneration = -1;
    }

    private void writeFile(String name, byte[] content) throws IOException {
        Path temp = dir.resolve(name + ".tmp");
        Files.deleteIfExists(temp);
        try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE))) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Makes the renames durable: a rename is an update of the directory. */
    private void syncDirectory() throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private void deleteGenerationsOtherThan(long generation) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                Matcher name = GENERATION_FILE.matcher(file.getFileName().toString());
                if (name.matches() && Long.parseLong(name.group(1) != null ? name.group(1) : name.group(2)) != generation) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            // Left-overs are harmless: nothing reads a generation credentials.json does not name.
        }
    }

    private static byte[] pem(String type, List<byte[]> ders) {
        StringBuilder text = new StringBuilder();
        Base64.Encoder base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        for (byte[] der : ders) {
            text.append("-----BEGIN ").append(type).append("-----\n").append(base64.encodeToString(der))
                    .append("\n-----END ").append(type).append("-----\n");
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static List<byte[]> encoded(List<X509Certificate> certificates) throws IOException {
        List<byte[]> ders = new ArrayList<>();
        for (X509Certificate certificate : certificates) {
            try {
                ders.add(certificate.getEncoded());
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IOException("cannot encode certificate " + certificate.getSerialNumber().toString(16), e);
            }
        }
        return ders;
    }

    private static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        Matcher block = PEM.matcher(pem);
        if (!block.find() || !block.group(1).equals("PRIVATE KEY")) {
            throw new GeneralSecurityException("no PKCS#8 PEM private key");
        }
        byte[] der = Base64.getMimeDecoder().decode(block.group(2));
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    private static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        List<X509Certificate> certificates = new ArrayList<>();
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        for (var certificate : factory.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(file)))) {
            certificates.add((X509Certificate) certificate);
        }
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException(file.getFileName() + " holds no certificate");
        }
        return certificates;
    }

    /** True when {@code key} is the private half of the certificate's public key: it signs, the certificate verifies. */
    static boolean keyMatches(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(challenge);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(challenge);
        return verifier.verify(signature);
    }

    private static String describe(Exception e) {
        if (e instanceof NoSuchFileException missing) {
            return Path.of(missing.getFile()).getFileName() + " is missing";
        }
        if (e instanceof DecodeException) {
            return CREDENTIALS + " is not JSON";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
