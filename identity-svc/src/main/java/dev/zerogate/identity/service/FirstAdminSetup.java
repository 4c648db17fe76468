package dev.zerogate.identity.service;

import dev.zerogate.identity.SetupLink;
import dev.zerogate.identity.User;
import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.identity.crypto.OpaqueTokens;
import dev.zerogate.identity.repository.SetupLinkRepository;
import dev.zerogate.identity.repository.UserRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * The first admin. While no admin exists, each start prints a one-time setup link (valid for
 * {@code setup-link-lifetime}, single use, stored only as a digest; printing a new one voids
 * the older ones). Whoever opens it chooses the admin's username and password. This link is
 * the one secret zerogate ever prints: it is short-lived and dead once used.
 */
@ApplicationScoped
public class FirstAdminSetup {

    /** Shorter passwords are refused for the admin. */
    public static final int MIN_PASSWORD_LENGTH = 12;

    private final UserRepository users;
    private final SetupLinkRepository links;
    private final LocalAccountService accounts;
    private final IdentityConfig config;
    private final Clock clock;

    FirstAdminSetup(UserRepository users, SetupLinkRepository links, LocalAccountService accounts,
                    IdentityConfig config, Clock clock) {
        this.users = users;
        this.links = links;
        this.accounts = accounts;
        this.config = config;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent event) throws Throwable {
        Optional<String> link = VertxContextSupport.subscribeAndAwait(this::newLinkIfNoAdmin);
        link.ifPresent(url -> Log.warnf("No admin exists yet. Within %s, open this one-time link to create one: %s",
                config.tokens().setupLinkLifetime(), url));
    }

    /** A fresh setup link, or empty when an admin exists. */
    public Uni<Optional<String>> newLinkIfNoAdmin() {
        OffsetDateTime now = now();
        return Panache.withTransaction(() -> users.count("admin", true).chain(admins -> {
            if (admins > 0) {
                return Uni.createFrom().item(Optional.<String>empty());
            }
            String token = OpaqueTokens.newToken();
            SetupLink link = new SetupLink();
            link.tokenHash = OpaqueTokens.digest(token);
            link.createdAt = now;
            link.expiresAt = now.plus(config.tokens().setupLinkLifetime());
            return links.expireAll(now).chain(() -> links.persist(link))
                    .map(saved -> Optional.of(config.issuer() + "/setup?token=" + token));
        }));
    }

    /** Whether {@code token} is a live setup link. */
    public Uni<Boolean> isValid(String token) {
        if (!OpaqueTokens.plausible(token)) {
            return Uni.createFrom().item(false);
        }
        return Panache.withSession(() -> links.findById(OpaqueTokens.digest(token)))
                .map(link -> link != null && link.usedAt == null && link.expiresAt.isAfter(now()));
    }

    /**
     * Creates the first admin with {@code token}, which is then spent.
     *
     * @throws LoginFailedException when the link is not valid, or the password too short
     */
    public Uni<User> createAdmin(String token, String username, char[] password) {
        if (password.length < MIN_PASSWORD_LENGTH) {
            return Uni.createFrom().failure(new LoginFailedException("choose a password of at least " + MIN_PASSWORD_LENGTH + " characters"));
        }
        if (!OpaqueTokens.plausible(token)) {
            return Uni.createFrom().failure(new LoginFailedException("this setup link is not valid any more"));
        }
        OffsetDateTime now = now();
        // Spending the link and creating the admin commit together: a failed creation
        // leaves the link usable.
        return accounts.validUsername(username)
                .chain(() -> accounts.hash(password))
                .chain(hash -> Panache.withTransaction(() -> links.update(
                                "usedAt = ?1 where tokenHash = ?2 and usedAt is null and expiresAt > ?1", now, OpaqueTokens.digest(token))
                        .chain(spent -> spent == 1
                                ? accounts.persistNew(username, hash, true)
                                : Uni.createFrom().failure(new LoginFailedException("this setup link is not valid any more")))));
    }

    private OffsetDateTime now() {
        return Times.utcNow(clock);
    }
}
