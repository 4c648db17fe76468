package dev.zerogate.identity.service;

import dev.zerogate.identity.IdentityException;
import dev.zerogate.identity.IdentityException.Kind;
import dev.zerogate.identity.User;
import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.identity.crypto.Totp;
import dev.zerogate.identity.repository.UserRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * TOTP as a second factor for built-in accounts: enrolment (a secret sealed with the master
 * key, confirmed by a first code) and the check at login, which refuses a code whose time
 * step is not newer than the last one used (no replay inside the 90-second window).
 */
@ApplicationScoped
public class SecondFactor {

    /** A started enrolment: shown once. */
    public record Enrolment(String secret, String otpauthUri) {
        @Override
        public String toString() {
            return "Enrolment[secret hidden]";
        }
    }

    private final UserRepository users;
    private final Totp totp;
    private final MasterKey masterKey;
    private final IdentityAuditLog audit;
    private final IdentityConfig config;
    private final Clock clock;

    SecondFactor(UserRepository users, Totp totp, MasterKey masterKey, IdentityAuditLog audit, IdentityConfig config, Clock clock) {
        this.users = users;
        this.totp = totp;
        this.masterKey = masterKey;
        this.audit = audit;
        this.config = config;
        this.clock = clock;
    }

    public Uni<Enrolment> start(UUID userId) {
        return Panache.withTransaction(() -> users.findById(userId).map(user -> {
            if (user == null) {
                throw new IdentityException(Kind.UNAUTHENTICATED, "the account no longer exists");
            }
            if (user.totpConfirmedAt != null) {
                throw new IdentityException(Kind.FAILED_PRECONDITION, "a second factor is already set up");
            }
            String secret = Totp.newSecret();
            user.totpSecretSealed = masterKey.seal(sealName(user), secret.getBytes(StandardCharsets.US_ASCII));
            String issuerName = URI.create(config.issuer()).getHost();
            return new Enrolment(secret, Totp.otpauthUri(issuerName == null ? "zerogate" : "zerogate " + issuerName, user.username, secret));
        }));
    }

    public Uni<Void> confirm(UUID userId, String code) {
        return Panache.withTransaction(() -> users.findById(userId).chain(user -> {
            if (user == null || user.totpSecretSealed == null || user.totpConfirmedAt != null) {
                return Uni.createFrom().failure(new IdentityException(Kind.FAILED_PRECONDITION,
                        user != null && user.totpConfirmedAt != null ? "a second factor is already set up" : "start the enrolment first"));
            }
            OptionalLong step = totp.matchStep(secretOf(user), code, clock.instant());
            if (step.isEmpty()) {
                return Uni.createFrom().failure(new IdentityException(Kind.INVALID_ARGUMENT, "the code does not match"));
            }
            user.totpConfirmedAt = Times.utcNow(clock);
            user.totpLastStep = step.getAsLong();
            return audit.record("mfa.enrolled", true, user.id.toString(), user.id.toString(), null, "totp");
        }));
    }

    /** Whether {@code user} must give a one-time code at login. */
    public static boolean required(User user) {
        return user.totpConfirmedAt != null;
    }

    /**
     * Checks a login's one-time code and spends its step. Runs in the caller's transaction.
     *
     * @return true when the code is current and newer than the last one used
     */
    Uni<Boolean> checkAndSpend(User user, String code) {
        OptionalLong step = totp.matchStep(secretOf(user), code, clock.instant());
        if (step.isEmpty() || (user.totpLastStep != null && step.getAsLong() <= user.totpLastStep)) {
            return Uni.createFrom().item(false);
        }
        // Conditional: of two logins racing with the same code, one wins.
        return users.update("totpLastStep = ?1 where id = ?2 and (totpLastStep is null or totpLastStep < ?1)",
                step.getAsLong(), user.id).map(updated -> updated == 1);
    }

    private String secretOf(User user) {
        return new String(masterKey.open(sealName(user), user.totpSecretSealed), StandardCharsets.US_ASCII);
    }

    private static String sealName(User user) {
        return "totp:" + user.id;
    }
}
