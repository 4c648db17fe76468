package dev.zerogate.identity.bootstrap;

import dev.zerogate.identity.ServiceAccount;
import dev.zerogate.identity.ServiceAccountKey;
import dev.zerogate.identity.crypto.OpaqueTokens;
import dev.zerogate.identity.repository.ServiceAccountKeyRepository;
import dev.zerogate.identity.repository.ServiceAccountRepository;
import dev.zerogate.identity.service.ServiceAccounts;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * Keeps the configured service accounts and one usable key each in {@link BootstrapConfig#secretsDir()}
 * at every start: a missing, damaged, revoked or nearly expired key is replaced, a missing
 * account is made. An account an admin revoked stays revoked: the start fails and says so,
 * because quietly making a new one would undo the admin's decision. Audited under the actor
 * {@value #ACTOR}.
 */
@ApplicationScoped
public class ServiceAccountBootstrap {

    static final String ACTOR = "identity-svc bootstrap";
    /** Keys live for the longest a key may (a year, less a minute of clock slack)... */
    static final Duration KEY_LIFETIME = Duration.ofDays(365).minusMinutes(1);
    /** ...and are replaced a month before they expire, so a box restarted monthly never lets one lapse. */
    static final Duration RENEW_BEFORE = Duration.ofDays(30);

    private final BootstrapConfig config;
    private final ServiceAccounts serviceAccounts;
    private final ServiceAccountRepository accounts;
    private final ServiceAccountKeyRepository keys;
    private final Clock clock;

    ServiceAccountBootstrap(BootstrapConfig config, ServiceAccounts serviceAccounts, ServiceAccountRepository accounts,
                            ServiceAccountKeyRepository keys, Clock clock) {
        this.config = config;
        this.serviceAccounts = serviceAccounts;
        this.accounts = accounts;
        this.keys = keys;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent event) throws Throwable {
        if (config.secretsDir().isEmpty()) {
            return;
        }
        for (String name : config.serviceAccounts()) {
            String outcome = VertxContextSupport.subscribeAndAwait(() -> ensure(name));
            Log.infof("service account %s: %s", name, outcome);
        }
    }

    /** Makes sure {@code name} has an account and a usable key on disk; says what it did. */
    public Uni<String> ensure(String name) {
        Path file = config.secretsDir().orElseThrow().resolve(name + ".client");
        Optional<ServiceAccountKeyFile> stored;
        try {
            stored = ServiceAccountKeyFile.read(file);
        } catch (IOException e) {
            return Uni.createFrom().failure(new UncheckedIOException("cannot read " + file, e));
        }
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        return Panache.withSession(() -> accounts.find("name", name).firstResult()).chain(account -> {
            if (account != null && account.revokedAt != null) {
                return Uni.createFrom().failure(new IllegalStateException("the service account " + name
                        + " was revoked by an admin; delete it or give the service another account, then start again"));
            }
            if (account != null && stored.isPresent() && stored.get().accountId().equals(account.id)) {
                ServiceAccountKeyFile kept = stored.get();
                return stillGood(kept, now).chain(good -> good
                        ? Uni.createFrom().item("key " + kept.keyId() + " kept (expires " + kept.expiresAt() + ")")
                        // The replaced key goes: every start that replaces one would otherwise add a
                        // usable key, and an account has room for ten.
                        : retire(kept).chain(() -> newKey(account.id, name, file, now)));
            }
            Uni<ServiceAccount> existing = account != null ? Uni.createFrom().item(account)
                    : serviceAccounts.create(name, "made by identity-svc for zerogate-server", ACTOR, "local")
                    .map(ServiceAccounts.AccountView::account);
            return existing.chain(made -> newKey(made.id, name, file, now));
        });
    }

    private Uni<Boolean> stillGood(ServiceAccountKeyFile stored, OffsetDateTime now) {
        return Panache.withSession(() -> keys.findById(stored.keyId())).map(key -> key != null
                && key.serviceAccountId.equals(stored.accountId())
                && key.usableAt(now.plus(RENEW_BEFORE))
                && MessageDigest.isEqual(key.secretHash, OpaqueTokens.digest(stored.secret())));
    }

    private Uni<Void> retire(ServiceAccountKeyFile replaced) {
        return Panache.withSession(() -> keys.findById(replaced.keyId())).chain(key -> key == null || key.revokedAt != null
                ? Uni.createFrom().voidItem()
                : serviceAccounts.revokeKey(key.id, "replaced by identity-svc's bootstrap", ACTOR, "local").replaceWithVoid());
    }

    private Uni<String> newKey(java.util.UUID accountId, String name, Path file, OffsetDateTime now) {
        return serviceAccounts.createKey(accountId, "kept by identity-svc in " + file.getFileName(), now.plus(KEY_LIFETIME), ACTOR, "local")
                .map(created -> {
                    ServiceAccountKey key = created.key();
                    Instant expires = key.expiresAt.toInstant();
                    try {
                        new ServiceAccountKeyFile(accountId, key.id, created.secret(), expires).write(file);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot write " + file + " for " + name, e);
                    }
                    return "new key " + key.id + " in " + file + " (expires " + expires + ")";
                });
    }
}
