package dev.zerogate.local;

import com.google.protobuf.Timestamp;
import dev.zerogate.proto.identity.v1.CreateServiceAccountKeyRequest;
import dev.zerogate.proto.identity.v1.CreateServiceAccountKeyResponse;
import dev.zerogate.proto.identity.v1.CreateServiceAccountRequest;
import dev.zerogate.proto.identity.v1.IdentityAdminServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The service accounts the local run gives policy-svc (to follow identity-svc's revocations)
 * and the relay (to report its connectors to policy-svc), made by the run's own admin. Each
 * key is kept in {@code secrets/<service>.client} (0600) and replaced by a new one when it has
 * less than {@link #RENEW_BEFORE} left, so a run started every day never lets one lapse.
 */
final class LocalServiceAccounts {

    /** identity-svc issues keys for at most 365 days. */
    static final Duration KEY_LIFETIME = Duration.ofDays(365);
    static final Duration RENEW_BEFORE = Duration.ofDays(30);

    /** What policy-svc and the relay get in their environment. */
    record Environments(Map<String, String> policy, Map<String, String> relay) {
        static Environments none() {
            return new Environments(Map.of(), Map.of());
        }
    }

    private record Key(String accountId, String keyId, String secret, Instant expiresAt) {
    }

    private LocalServiceAccounts() {
    }

    /**
     * Keys for policy-svc and relay-svc: the stored ones, renewed as {@code admin} when
     * missing or about to expire. Without an admin (the admin is not the run's) only
     * stored keys are used, and without them the two services run without service accounts.
     */
    static Environments ensure(LocalOptions options, Optional<LocalDemo.Admin> admin) throws IOException {
        Optional<Key> policy = ensure(options, admin, "policy-svc");
        Optional<Key> relay = ensure(options, admin, "relay-svc");
        Map<String, String> policyEnvironment = new LinkedHashMap<>();
        policy.ifPresent(key -> {
            policyEnvironment.put("ZEROGATE_POLICY_IDENTITY_CLIENT_ID", key.keyId());
            policyEnvironment.put("ZEROGATE_POLICY_IDENTITY_CLIENT_SECRET", key.secret());
        });
        relay.ifPresent(key -> policyEnvironment.put("ZEROGATE_POLICY_STREAM_RELAY_SERVICE_ACCOUNTS", key.accountId()));
        Map<String, String> relayEnvironment = new LinkedHashMap<>();
        relay.ifPresent(key -> {
            relayEnvironment.put("ZEROGATE_RELAY_IDENTITY_CLIENT_ID", key.keyId());
            relayEnvironment.put("ZEROGATE_RELAY_IDENTITY_CLIENT_SECRET", key.secret());
        });
        return new Environments(policyEnvironment, relayEnvironment);
    }

    private static Optional<Key> ensure(LocalOptions options, Optional<LocalDemo.Admin> admin, String service) throws IOException {
        Path file = options.home().resolve("secrets").resolve(service + ".client");
        Optional<Key> stored = read(file);
        boolean fresh = stored.isPresent() && stored.get().expiresAt().isAfter(Instant.now().plus(RENEW_BEFORE));
        if (fresh || admin.isEmpty()) {
            return stored;
        }
        ManagedChannel identity = LocalDemo.channel(ServiceSpec.ALL.get(0).port(options.portBase()));
        try {
            var identityAdmin = LocalDemo.authorised(IdentityAdminServiceGrpc.newBlockingStub(identity), admin.get().token());
            String account = stored.isPresent() ? stored.get().accountId()
                    : identityAdmin.createServiceAccount(CreateServiceAccountRequest.newBuilder().setName(service)
                            .setDescription("created by zerogate-local").build()).getServiceAccount().getId();
            Instant expiresAt = Instant.now().plus(KEY_LIFETIME).minusSeconds(60);
            CreateServiceAccountKeyResponse created = identityAdmin.createServiceAccountKey(CreateServiceAccountKeyRequest.newBuilder()
                    .setServiceAccountId(account).setDescription("zerogate-local " + service)
                    .setExpiresAt(Timestamp.newBuilder().setSeconds(expiresAt.getEpochSecond())).build());
            Key key = new Key(account, created.getKey().getId(), created.getClientSecret(), expiresAt);
            write(file, key);
            return Optional.of(key);
        } catch (StatusRuntimeException e) {
            throw new IOException("creating " + service + "'s service account key failed: " + e.getStatus().getCode()
                    + " " + e.getStatus().getDescription(), e);
        } finally {
            identity.shutdownNow();
        }
    }

    private static Optional<Key> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        }
        try {
            return Optional.of(new Key(properties.getProperty("account_id"), properties.getProperty("key_id"),
                    properties.getProperty("secret"), Instant.parse(properties.getProperty("expires_at"))));
        } catch (RuntimeException e) {
            throw new IOException(file + " is damaged: delete it and start again to get a new key");
        }
    }

    private static void write(Path file, Key key) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("account_id", key.accountId());
        properties.setProperty("key_id", key.keyId());
        properties.setProperty("secret", key.secret());
        properties.setProperty("expires_at", key.expiresAt().toString());
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        Files.createFile(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(partial)) {
            properties.store(out, "a service account key of zerogate-local: secret");
        }
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
