package dev.zerogate.identity.service;

import dev.zerogate.identity.AccessTokenClaims;
import dev.zerogate.identity.RefreshToken;
import dev.zerogate.identity.Revocation;
import dev.zerogate.identity.Session;
import dev.zerogate.identity.TokenSet;
import dev.zerogate.identity.User;
import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.identity.crypto.OpaqueTokens;
import dev.zerogate.identity.crypto.RefreshSuccessors;
import dev.zerogate.identity.repository.RefreshTokenRepository;
import dev.zerogate.identity.repository.SessionRepository;
import dev.zerogate.identity.repository.UserRepository;
import dev.zerogate.servicekit.token.PrincipalKind;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Login sessions and their tokens. A session is opened by a completed login and issues an
 * access token and a refresh token. Refresh tokens rotate: each is single use, and its use
 * issues the next one of the same family. Presenting a spent refresh token again means two
 * parties hold the family (one of them a thief): the whole session is revoked, the reuse is
 * audited, and the caller gets {@code invalid_grant}. One exception, for a client whose
 * refresh response was lost: within the grace window, while the successor is unused, the
 * spent token gets that same successor again with a new access token ({@link ReplayVerdict}).
 */
@ApplicationScoped
public class SessionService {

    public static final String REUSE_REASON = "REFRESH_TOKEN_REUSE";

    private final SessionRepository sessions;
    private final UserRepository users;
    private final dev.zerogate.identity.repository.DeviceRepository devices;
    private final RefreshTokenRepository refreshTokens;
    private final TokenIssuer tokenIssuer;
    private final IdentityAuditLog audit;
    private final RevocationLog revocations;
    private final IdentityConfig config;
    private final Clock clock;

    SessionService(SessionRepository sessions, UserRepository users, dev.zerogate.identity.repository.DeviceRepository devices,
                   RefreshTokenRepository refreshTokens,
                   TokenIssuer tokenIssuer, IdentityAuditLog audit, RevocationLog revocations, IdentityConfig config, Clock clock) {
        this.sessions = sessions;
        this.users = users;
        this.devices = devices;
        this.refreshTokens = refreshTokens;
        this.tokenIssuer = tokenIssuer;
        this.audit = audit;
        this.revocations = revocations;
        this.config = config;
        this.clock = clock;
    }

    /** Opens a session for a completed login; runs inside the caller's transaction. */
    public Uni<TokenSet> open(User user, String clientId, List<String> amr, OffsetDateTime authTime,
                              Optional<String> deviceKeyThumbprint, String source) {
        Session session = new Session();
        session.id = UUID.randomUUID();
        session.userId = user.id;
        session.clientId = clientId;
        session.amr = String.join(" ", amr);
        session.authTime = authTime;
        session.deviceKeyThumbprint = deviceKeyThumbprint.orElse(null);
        session.createdAt = now();
        return sessions.persist(session)
                .chain(() -> issue(session))
                .call(tokens -> audit.record("token.issued", true, user.id.toString(), session.id.toString(), source,
                        "login through " + clientId));
    }

    /**
     * Exchanges a refresh token for a new token set. A spent one presented again within the
     * grace window, while its successor is unused, gets a new access token and that same
     * successor ({@link ReplayVerdict}); later, it revokes the session.
     *
     * @throws OAuthException {@code invalid_grant} for an unknown, expired, spent or revoked token
     */
    public Uni<TokenSet> refresh(String refreshToken, String clientId, String source) {
        if (!OpaqueTokens.plausible(refreshToken)) {
            return Uni.createFrom().failure(OAuthException.invalidGrant("refresh token is not valid"));
        }
        byte[] digest = OpaqueTokens.digest(refreshToken);
        OffsetDateTime now = now();
        // Empty result = reuse detected: the transaction commits the revocation, and only
        // then does the request fail (a failure inside would roll the revocation back).
        return Panache.withTransaction(() -> refreshTokens.findById(digest).chain(token -> {
            if (token == null) {
                return Uni.createFrom().<Optional<TokenSet>>failure(OAuthException.invalidGrant("refresh token is not valid"));
            }
            return sessions.findById(token.sessionId).chain(session -> {
                if (!session.clientId.equals(clientId)) {
                    return Uni.createFrom().failure(OAuthException.invalidGrant("refresh token was issued to another client"));
                }
                if (session.isRevoked()) {
                    return Uni.createFrom().failure(OAuthException.invalidGrant("the session has ended"));
                }
                if (token.usedAt != null) {
                    return replayOrRevoke(refreshToken, token, session, now, source);
                }
                if (!token.expiresAt.isAfter(now)) {
                    return Uni.createFrom().failure(OAuthException.invalidGrant("refresh token has expired"));
                }
                String next = OpaqueTokens.newToken();
                // Without a grace window nothing could ever open the sealed copy: keep none.
                byte[] sealedNext = graceOn() ? RefreshSuccessors.seal(refreshToken, next) : null;
                return refreshTokens.spend(digest, now, OpaqueTokens.digest(next), sealedNext).chain(spent -> spent
                        ? refreshTokens.forgetSealedCopyOf(digest).chain(() -> {
                            session.lastRefreshedAt = now;
                            return issue(session, next).call(tokens -> audit.record("token.refreshed", true,
                                    session.userId.toString(), session.id.toString(), source, "client " + clientId));
                        }).map(Optional::of)
                        // Spent by a concurrent request between our read and our update (which waited
                        // for that request's commit): judge the row as it is now, as a replay.
                        : refreshTokens.reload(token).chain(fresh -> {
                            Log.debugf("a concurrent refresh spent the refresh token of session %s first", session.id);
                            return fresh == null
                                    ? Uni.createFrom().failure(OAuthException.invalidGrant("refresh token is not valid"))
                                    : replayOrRevoke(refreshToken, fresh, session, now, source);
                        }));
            });
        })).call(result -> result.isPresent() ? Uni.createFrom().voidItem() : revocations.catchUp())
                .map(result -> result.orElseThrow(() -> OAuthException.invalidGrant(
                "refresh token was already used; the session has been revoked")));
    }

    /**
     * Token revocation (RFC 7009) by refresh token: ends the token's session, so that no
     * refresh token of its family works any more. An unknown token, or one issued to another
     * client, is ignored (the endpoint answers the same either way).
     */
    public Uni<Void> revokeByRefreshToken(String refreshToken, String clientId, String source) {
        if (!OpaqueTokens.plausible(refreshToken)) {
            return Uni.createFrom().voidItem();
        }
        return Panache.withTransaction(() -> refreshTokens.findById(OpaqueTokens.digest(refreshToken))
                .chain(token -> token == null ? Uni.createFrom().nullItem() : sessions.findById(token.sessionId))
                .chain(session -> session == null || !session.clientId.equals(clientId)
                        ? Uni.createFrom().voidItem()
                        : end(session, "LOGOUT", source)))
                .call(revocations::catchUp);
    }

    /** Token revocation by access token: ends the session named by its {@code sid}. */
    public Uni<Void> revokeSession(UUID sessionId, String clientId, String source) {
        return Panache.withTransaction(() -> sessions.findById(sessionId)
                .chain(session -> session == null || !session.clientId.equals(clientId)
                        ? Uni.createFrom().voidItem()
                        : end(session, "LOGOUT", source)))
                .call(revocations::catchUp);
    }

    /**
     * Ends a session for {@code reason} (a RevocationReason name) inside the caller's
     * transaction: its refresh family stops working, the revocation is logged and published.
     */
    public Uni<Void> end(Session session, String reason, String source) {
        if (session.isRevoked()) {
            return Uni.createFrom().voidItem();
        }
        session.revokedAt = now();
        session.revokeReason = reason;
        return revocations.append(Revocation.SubjectKind.SESSION, session.id, reason, null)
                .chain(() -> audit.record("session.revoked", true, session.userId.toString(), session.id.toString(), source, reason));
    }

    /**
     * A spent token presented again (inside the caller's transaction): if it is a retry within
     * the grace window, a new access token with the successor its refresh issued, which stays
     * the family's one live refresh token; otherwise the session is revoked for reuse.
     */
    private Uni<Optional<TokenSet>> replayOrRevoke(String presented, RefreshToken spent, Session session,
                                                   OffsetDateTime now, String source) {
        Uni<RefreshToken> successor = spent.successorHash == null ? Uni.createFrom().nullItem()
                : refreshTokens.findById(spent.successorHash);
        return successor.chain(next -> {
            ReplayVerdict verdict = ReplayVerdict.decide(spent.usedAt.toInstant(), now.toInstant(), config.tokens().refreshReuseGrace(),
                    ReplayVerdict.Successor.of(spent, next, now.toInstant()), session.isRevoked());
            if (verdict != ReplayVerdict.RETURN_SUCCESSOR) {
                return revokeForReuse(session, source, verdict);
            }
            Optional<String> opened = RefreshSuccessors.open(presented, spent.successorSealed)
                    .filter(token -> MessageDigest.isEqual(OpaqueTokens.digest(token), spent.successorHash));
            if (opened.isEmpty()) {
                return revokeForReuse(session, source, ReplayVerdict.SUCCESSOR_UNREADABLE);
            }
            long ago = Math.max(0, Duration.between(spent.usedAt, now).toSeconds());
            Log.infof("a spent refresh token of session %s was presented again %d s after its refresh: its successor was returned",
                    session.id, ago);
            return accessToken(session)
                    .call(() -> audit.record("refresh.replayed", true, session.userId.toString(), session.id.toString(), source,
                            "a refresh token spent " + ago + " s ago was presented again within the grace window; its successor was returned"))
                    .map(access -> Optional.of(tokenSet(access, opened.get(), session)));
        });
    }

    /** Revokes the session (committed with the caller's transaction) and reports reuse. */
    private Uni<Optional<TokenSet>> revokeForReuse(Session session, String source, ReplayVerdict why) {
        session.revokedAt = now();
        session.revokeReason = REUSE_REASON;
        Log.warnf("refresh token reuse in session %s (not a replay: %s): session revoked", session.id, why.reason());
        return revocations.append(Revocation.SubjectKind.SESSION, session.id, REUSE_REASON, "refresh token reuse")
                .chain(() -> audit.record("refresh.reuse", false, session.userId.toString(), session.id.toString(), source,
                        "a spent refresh token was presented again; the session is revoked (not a replay: " + why.reason() + ")"))
                .replaceWith(Optional.empty());
    }

    /** Issues an access token and a new refresh token of the session's family. */
    private Uni<TokenSet> issue(Session session) {
        return issue(session, OpaqueTokens.newToken());
    }

    /** Issues an access token and stores {@code refresh} as the next refresh token of the session's family. */
    private Uni<TokenSet> issue(Session session, String refresh) {
        RefreshToken stored = new RefreshToken();
        stored.tokenHash = OpaqueTokens.digest(refresh);
        stored.sessionId = session.id;
        stored.issuedAt = now();
        stored.expiresAt = stored.issuedAt.plus(config.tokens().refreshTokenLifetime());
        return refreshTokens.persist(stored)
                .chain(() -> accessToken(session))
                .map(access -> tokenSet(access, refresh, session));
    }

    /** A new access token of the session, unless its account is disabled. */
    private Uni<String> accessToken(Session session) {
        // Once the session's key is enrolled as a device, its tokens name the device (zg_dev).
        Uni<Optional<String>> deviceId = session.deviceKeyThumbprint == null ? Uni.createFrom().item(Optional.empty())
                : devices.findByKey(session.deviceKeyThumbprint).map(device -> device == null || device.revokedAt != null
                        ? Optional.<String>empty() : Optional.of(device.id.toString()));
        return deviceId.chain(device -> users.findById(session.userId).chain(user -> {
            if (user.disabledAt != null) {
                return Uni.createFrom().failure(OAuthException.invalidGrant("the account is disabled"));
            }
            return tokenIssuer.issueAccessToken(new AccessTokenClaims(PrincipalKind.USER, session.userId.toString(), user.username,
                    session.id.toString(), groupsOf(user), device, session.authenticationMethods(),
                    session.authTime.toInstant(), Optional.ofNullable(session.deviceKeyThumbprint)));
        }));
    }

    private TokenSet tokenSet(String accessToken, String refreshToken, Session session) {
        return new TokenSet(accessToken, refreshToken, config.tokens().accessTokenLifetime().toSeconds(), session.id);
    }

    private boolean graceOn() {
        Duration grace = config.tokens().refreshReuseGrace();
        return !grace.isZero() && !grace.isNegative();
    }

    /**
     * The {@code groups} claim: the groups the user's upstream IdP gave at their last login,
     * plus the admin group for built-in admins.
     */
    public Set<String> groupsOf(User user) {
        Set<String> groups = new java.util.TreeSet<>(user.upstreamGroupSet());
        if (user.admin) {
            groups.add(config.adminGroup());
        }
        return groups;
    }

    private OffsetDateTime now() {
        return Times.utcNow(clock);
    }
}
