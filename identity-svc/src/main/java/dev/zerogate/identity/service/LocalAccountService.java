package dev.zerogate.identity.service;

import dev.zerogate.identity.User;
import dev.zerogate.identity.crypto.PasswordHasher;
import dev.zerogate.identity.repository.UserRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/**
 * Built-in accounts: a username and an Argon2id password hash, for a home lab that needs no
 * other identity provider. Password checks are throttled per account and per source, run off
 * the event loop (Argon2id is deliberately slow), take the same time whether or not the
 * account exists, and are audited.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup // the decoy hash is computed at start, not on the event loop
public class LocalAccountService {

    static final String BAD_CREDENTIALS = "wrong username or password";

    private final UserRepository users;
    private final PasswordHasher hasher;
    private final LoginThrottle throttle;
    private final IdentityAuditLog audit;
    private final Vertx vertx;
    private final Clock clock;
    private final SecondFactor secondFactor;
    /** Verified against when the account does not exist, so both cases cost the same. */
    private final String decoyHash;

    LocalAccountService(UserRepository users, PasswordHasher hasher, LoginThrottle throttle, IdentityAuditLog audit,
                        Vertx vertx, Clock clock, SecondFactor secondFactor) {
        this.secondFactor = secondFactor;
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

    /** A successful login: who, and how they proved it ({@code amr}). */
    public record Authenticated(User user, List<String> amr) {
    }

    static final String OTP_NEEDED = "enter the one-time code from your authenticator app";

    /**
     * Checks a username, password and (for accounts with a second factor) one-time code from
     * {@code source} (the client address). Every failure, including a wrong or replayed code,
     * counts towards throttling; the message never says which part was wrong, except that a
     * code is needed when the password was right and none was given.
     *
     * @return the user and {@code amr}; fails with {@link LoginFailedException}
     */
    public Uni<Authenticated> authenticate(String username, char[] password, String otp, String source) {
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
                            return fail(name, source, user != null && user.disabledAt != null ? "disabled" : "bad credentials", BAD_CREDENTIALS);
                        }
                        if (!SecondFactor.required(user)) {
                            return succeed(user, name, source, List.of("pwd"));
                        }
                        if (otp == null || otp.isBlank()) {
                            return Uni.createFrom().failure(new LoginFailedException(OTP_NEEDED));
                        }
                        return Panache.withTransaction(() -> secondFactor.checkAndSpend(user, otp.strip()))
                                .chain(valid -> valid
                                        ? succeed(user, name, source, List.of("pwd", "otp"))
                                        : fail(name, source, "bad one-time code", BAD_CREDENTIALS));
                    });
        });
    }

    private Uni<Authenticated> succeed(User user, String name, String source, List<String> amr) {
        throttle.recordSuccess(name, source, clock.instant());
        return audit(user.id.toString(), source, true, String.join("+", amr)).replaceWith(new Authenticated(user, amr));
    }

    private Uni<Authenticated> fail(String name, String source, String detail, String message) {
        throttle.recordFailure(name, source, clock.instant());
        return audit(name, source, false, detail).replaceWith(Uni.createFrom().failure(new LoginFailedException(message)));
    }

    private Uni<Void> audit(String actor, String source, boolean success, String detail) {
        return Panache.withTransaction(() -> audit.record("login", success, actor, null, source, detail));
    }
}
