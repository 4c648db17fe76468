package dev.zerogate.identity.service;

import dev.zerogate.identity.DeviceAuthorization;
import dev.zerogate.identity.TokenSet;
import dev.zerogate.identity.User;
import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.identity.crypto.OpaqueTokens;
import dev.zerogate.identity.repository.DeviceAuthorizationRepository;
import dev.zerogate.identity.repository.UserRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The device authorization grant (RFC 8628) for the CLI: the CLI starts a login and polls
 * with the device code; the person opens the verification page, enters the user code and
 * logs in; the next poll receives the tokens, once.
 *
 * <p>Poll answers (§3.5): {@code authorization_pending} until approved; {@code slow_down}
 * (and 5 s more interval) when polled faster than the interval; {@code access_denied} when
 * the person refused; {@code expired_token} after the lifetime; {@code invalid_grant} for an
 * unknown or already used device code.
 */
@ApplicationScoped
public class DeviceLoginService {

    /** RFC 8628 §6.1: no vowels (no words), no look-alikes; 20^8 ≈ 2.6e10 codes. */
    static final String USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
    static final int USER_CODE_LENGTH = 8;
    static final int SLOW_DOWN_SECONDS = 5;

    /** What the CLI shows and uses after starting a login. */
    public record Started(String deviceCode, String userCode, long expiresIn, long interval) {
        @Override
        public String toString() {
            return "Started[user code " + userCode + ", expires in " + expiresIn + " s]";
        }
    }

    /** A poll's result: tokens, or the OAuth error to answer once the transaction has committed. */
    private record Poll(TokenSet tokens, OAuthException error) {
    }

    private final SecureRandom random = new SecureRandom();
    private final DeviceAuthorizationRepository authorizations;
    private final UserRepository users;
    private final SessionService sessions;
    private final IdentityAuditLog audit;
    private final IdentityConfig config;
    private final Clock clock;

    DeviceLoginService(DeviceAuthorizationRepository authorizations, UserRepository users, SessionService sessions,
                       IdentityAuditLog audit, IdentityConfig config, Clock clock) {
        this.authorizations = authorizations;
        this.users = users;
        this.sessions = sessions;
        this.audit = audit;
        this.config = config;
        this.clock = clock;
    }

    /** Starts a device login for {@code clientId}, optionally binding its tokens to a device key. */
    public Uni<Started> start(String clientId, Optional<String> deviceKeyThumbprint) {
        String deviceCode = OpaqueTokens.newToken();
        DeviceAuthorization authorization = new DeviceAuthorization();
        authorization.deviceCodeHash = OpaqueTokens.digest(deviceCode);
        authorization.userCode = newUserCode();
        authorization.clientId = clientId;
        authorization.deviceKeyThumbprint = deviceKeyThumbprint.orElse(null);
        authorization.createdAt = now();
        authorization.expiresAt = authorization.createdAt.plus(config.tokens().deviceCodeLifetime());
        authorization.intervalSeconds = (int) config.tokens().deviceCodeInterval().toSeconds();
        authorization.status = DeviceAuthorization.Status.PENDING;
        return Panache.withTransaction(() -> authorizations.persist(authorization))
                .map(saved -> new Started(deviceCode, display(saved.userCode),
                        config.tokens().deviceCodeLifetime().toSeconds(), saved.intervalSeconds));
    }

    /** Whether {@code userCode} names a login that is waiting for approval (for the verification page). */
    public Uni<Boolean> isPending(String userCode) {
        return Panache.withSession(() -> authorizations.findByUserCode(normalise(userCode)))
                .map(a -> a != null && a.status == DeviceAuthorization.Status.PENDING && a.expiresAt.isAfter(now()));
    }

    /**
     * Records the person's decision for {@code userCode}: approved by {@code user} (who has just
     * authenticated with {@code amr}), or denied.
     *
     * @return false when the code is unknown, expired or already decided
     */
    public Uni<Boolean> decide(String userCode, User user, List<String> amr, boolean approve, String source) {
        OffsetDateTime now = now();
        return Panache.withTransaction(() -> authorizations.findByUserCode(normalise(userCode)).chain(a -> {
            if (a == null || a.status != DeviceAuthorization.Status.PENDING || !a.expiresAt.isAfter(now)) {
                return Uni.createFrom().item(false);
            }
            a.status = approve ? DeviceAuthorization.Status.APPROVED : DeviceAuthorization.Status.DENIED;
            a.userId = user.id;
            a.amr = String.join(" ", amr);
            a.authTime = now;
            return audit.record(approve ? "device_login.approved" : "device_login.denied", true, user.id.toString(),
                    null, source, "client " + a.clientId).replaceWith(true);
        }));
    }

    /** One poll of the CLI (token endpoint, device_code grant). */
    public Uni<TokenSet> poll(String deviceCode, String clientId, String source) {
        if (!OpaqueTokens.plausible(deviceCode)) {
            return Uni.createFrom().failure(OAuthException.invalidGrant("device code is not valid"));
        }
        OffsetDateTime now = now();
        return Panache.withTransaction(() -> authorizations.findById(OpaqueTokens.digest(deviceCode)).chain(a -> {
            if (a == null || !a.clientId.equals(clientId) || a.status == DeviceAuthorization.Status.CONSUMED) {
                return error(OAuthException.invalidGrant("device code is not valid"));
            }
            if (!a.expiresAt.isAfter(now)) {
                return error(new OAuthException("expired_token", "the login has expired; start again", 400));
            }
            boolean tooSoon = a.lastPolledAt != null && now.isBefore(a.lastPolledAt.plusSeconds(a.intervalSeconds));
            a.lastPolledAt = now;
            if (tooSoon) {
                a.intervalSeconds += SLOW_DOWN_SECONDS;
                return error(new OAuthException("slow_down", "poll every " + a.intervalSeconds + " s", 400));
            }
            return switch (a.status) {
                case PENDING -> error(new OAuthException("authorization_pending", "waiting for approval", 400));
                case DENIED -> {
                    a.status = DeviceAuthorization.Status.CONSUMED;
                    yield error(new OAuthException("access_denied", "the login was refused", 400));
                }
                case APPROVED -> {
                    a.status = DeviceAuthorization.Status.CONSUMED;
                    yield users.findById(a.userId).chain(user -> sessions.open(user, a.clientId,
                                    List.of(a.amr.split(" ")), a.authTime, Optional.ofNullable(a.deviceKeyThumbprint), source))
                            .map(tokens -> new Poll(tokens, null));
                }
                case CONSUMED -> error(OAuthException.invalidGrant("device code is not valid"));
            };
        })).map(poll -> {
            if (poll.error() != null) {
                throw poll.error();
            }
            return poll.tokens();
        });
    }

    private static Uni<Poll> error(OAuthException e) {
        return Uni.createFrom().item(new Poll(null, e));
    }

    private String newUserCode() {
        StringBuilder code = new StringBuilder(USER_CODE_LENGTH);
        for (int i = 0; i < USER_CODE_LENGTH; i++) {
            code.append(USER_CODE_ALPHABET.charAt(random.nextInt(USER_CODE_ALPHABET.length())));
        }
        return code.toString();
    }

    /** {@code BCDF-GHJK}: easier to read aloud and to type. */
    static String display(String userCode) {
        return userCode.substring(0, 4) + "-" + userCode.substring(4);
    }

    /** Accepts what people type: any case, with or without the dash or spaces. */
    static String normalise(String typed) {
        if (typed == null) {
            return "";
        }
        String code = typed.toUpperCase(Locale.ROOT).replaceAll("[\\s-]", "");
        return code.length() == USER_CODE_LENGTH && code.chars().allMatch(c -> USER_CODE_ALPHABET.indexOf(c) >= 0) ? code : "";
    }

    private OffsetDateTime now() {
        return Times.utcNow(clock);
    }
}
