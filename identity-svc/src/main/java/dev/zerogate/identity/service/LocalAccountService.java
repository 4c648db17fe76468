package dev.zerogate.identity.service;

import dev.zerogate.identity.User;
import dev.zerogate.identity.repository.UserRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.util.Arrays;

/**
 * Built-in accounts: a username and an Argon2id password hash, for a home lab that needs no
 * other identity provider. Password checks are throttled per account and per source, run off
 * the event loop (Argon2id is deliberately slow), take the same time whether or not the
 * account exists, and are audited.
 */
@ApplicationScoped
public class LocalAccountService {

    static final String BAD_CREDENTIALS = "wrong username or password";

    private final UserRepository users;
    private final PasswordHasher hasher;
    private final LoginThrottle throttle;
    private final AuditLog audit;
    private final Vertx vertx;
    private final Clock clock;
    /** Verified against when the account does not exist, so both cases cost the same. */
    private final String decoyHash;

    LocalAccountService(UserRepository users, PasswordHasher hasher, LoginThrottle throttle, AuditLog audit,
                        Vertx vertx, Clock clock) {
        this.users = users;
        this.hasher = hasher;
        this.throttle = throttle;
        this.audit = audit;
        this.vertx = vertx;
        this.clock = clock;
        this.decoyHash = hasher.hash("decoy password, never valid".toCharArray());
    }

    /** What the database accepts as a username (users_username_format). */
    static final java.util.regex.Pattern USERNAME = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9._@-]{0,127}");

    /**
     * Creates a built-in account; the password is hashed off the event loop.
     *
     * Fails with {@link LoginFailedException} when the username is not 1 to 128 of
     * {@code a-z 0-9 . _ @ -}, starting with a letter or digit.
     */
    public Uni<User> create(String username, char[] password, boolean admin) {
        return validUsername(username).chain(() -> hash(password))
                .chain(hash -> Panache.withTransaction(() -> persistNew(username, hash, admin)));
    }

    /** Fails with {@link LoginFailedException} when {@code username} is not acceptable. */
    Uni<Void> validUsername(String username) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            return Uni.createFrom().failure(new LoginFailedException(
                    "a username is 1 to 128 lower-case letters, digits, '.', '_', '@' or '-', starting with a letter or digit"));
        }
        return Uni.createFrom().voidItem();
    }

    /** Argon2id, off the event loop; the caller's thread context is kept. */
    Uni<String> hash(char[] password) {
        return vertx.executeBlocking(Uni.createFrom().item(() -> hasher.hash(password)));
    }

    /** Stores a new account with an already computed hash; runs in the caller's transaction. */
    Uni<User> persistNew(String username, String passwordHash, boolean admin) {
        User user = User.create(username, username);
        user.passwordHash = passwordHash;
        user.admin = admin;
        return users.persist(user)
                .call(() -> audit.record("user.created", true, null, user.id.toString(), null,
                        (admin ? "admin " : "user ") + username));
    }

    /**
     * Checks a username and password from {@code source} (the client address).
     *
     * @return the user; fails with {@link LoginFailedException} for wrong credentials, a
     * disabled account, or too many recent failures
     */
    public Uni<User> authenticate(String username, char[] password, String source) {
        String name = username == null ? "" : username.strip().toLowerCase(java.util.Locale.ROOT);
        LoginThrottle.Verdict verdict = throttle.check(name, source, clock.instant());
        if (!verdict.allowed()) {
            return audit(name, source, false, "throttled").replaceWith(Uni.createFrom().failure(new LoginFailedException(verdict.reason())));
        }
        return Panache.withSession(() -> users.findByUsername(name)).chain(user -> {
            String hash = user != null && user.passwordHash != null ? user.passwordHash : decoyHash;
            return vertx.executeBlocking(Uni.createFrom().item(() -> hasher.verify(password, hash)))
                    .chain(matches -> {
                        Arrays.fill(password, '\0');
                        boolean ok = matches && user != null && user.passwordHash != null && user.disabledAt == null;
                        if (!ok) {
                            throttle.recordFailure(name, source, clock.instant());
                            return audit(name, source, false, user != null && user.disabledAt != null ? "disabled" : "bad credentials")
                                    .replaceWith(Uni.createFrom().<User>failure(new LoginFailedException(BAD_CREDENTIALS)));
                        }
                        throttle.recordSuccess(name, source, clock.instant());
                        return audit(user.id.toString(), source, true, "password").replaceWith(user);
                    });
        });
    }

    private Uni<Void> audit(String actor, String source, boolean success, String detail) {
        return Panache.withTransaction(() -> audit.record("login", success, actor, null, source, detail));
    }
}
