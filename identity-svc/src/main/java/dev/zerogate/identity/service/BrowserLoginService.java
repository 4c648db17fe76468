package dev.zerogate.identity.service;

import dev.zerogate.identity.AuthorizationCode;
import dev.zerogate.identity.LoginRequest;
import dev.zerogate.identity.TokenSet;
import dev.zerogate.identity.User;
import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.identity.crypto.OpaqueTokens;
import dev.zerogate.identity.crypto.Pkce;
import dev.zerogate.identity.repository.AuthorizationCodeRepository;
import dev.zerogate.identity.repository.LoginRequestRepository;
import dev.zerogate.identity.repository.SessionRepository;
import dev.zerogate.identity.repository.UserRepository;
import dev.zerogate.identity.service.LocalAccountService.Authenticated;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * The browser side of logging in: authorization requests of browser clients (OpenID Connect
 * authorization code flow with PKCE), waiting on the login page until the person logs in
 * (built-in account or upstream provider), then answered with a single-use code; and device
 * logins approved through an upstream provider, which the person confirms on our page.
 *
 * <p>Login requests and codes are known to the database only by their SHA-256 digests.
 */
@ApplicationScoped
public class BrowserLoginService {

    public static final String CODE_REUSE_REASON = "AUTHORIZATION_CODE_REUSE";

    /** A validated authorization request (client, redirect URI and PKCE already checked). */
    public record AuthorizeRequest(String clientId, String redirectUri, String scope, String state, String nonce,
                                   String codeChallenge) {
    }

    /** What the browser is shown after a login step. */
    public sealed interface Outcome {
        /** Back to the client with a code (or an error), per RFC 6749 §4.1.2. */
        record Redirect(URI location) implements Outcome {
        }

        /** An upstream login for a device login: the person must confirm on our page. */
        record ConfirmDevice(String confirmToken, String userCode, String username) implements Outcome {
        }

        /** The device login was approved or denied. */
        record DeviceDecided(boolean approved) implements Outcome {
        }

        /** The login request is unknown, expired or already used. */
        record Gone() implements Outcome {
        }
    }

    /** The result of redeeming a code at the token endpoint. */
    public record Redeemed(TokenSet tokens, Optional<String> idToken, String scope) {
    }

    private final LoginRequestRepository loginRequests;
    private final AuthorizationCodeRepository codes;
    private final UserRepository users;
    private final SessionRepository sessionRepository;
    private final SessionService sessions;
    private final DeviceLoginService deviceLogins;
    private final TokenIssuer tokens;
    private final IdentityAuditLog audit;
    private final RevocationLog revocations;
    private final IdentityConfig config;
    private final Clock clock;

    BrowserLoginService(LoginRequestRepository loginRequests, AuthorizationCodeRepository codes, UserRepository users,
                        SessionRepository sessionRepository, SessionService sessions, DeviceLoginService deviceLogins,
                        TokenIssuer tokens, IdentityAuditLog audit, RevocationLog revocations, IdentityConfig config, Clock clock) {
        this.loginRequests = loginRequests;
        this.codes = codes;
        this.users = users;
        this.sessionRepository = sessionRepository;
        this.sessions = sessions;
        this.deviceLogins = deviceLogins;
        this.tokens = tokens;
        this.audit = audit;
        this.revocations = revocations;
        this.config = config;
        this.clock = clock;
    }

    /** Stores an authorization request; returns the id the login page carries. */
    public Uni<String> startAuthorize(AuthorizeRequest request) {
        String id = OpaqueTokens.newToken();
        LoginRequest stored = newRequest(id, LoginRequest.Purpose.AUTHORIZE);
        stored.clientId = request.clientId();
        stored.redirectUri = request.redirectUri();
        stored.scope = request.scope();
        stored.state = request.state();
        stored.nonce = request.nonce();
        stored.codeChallenge = request.codeChallenge();
        return Panache.withTransaction(() -> loginRequests.persist(stored)).replaceWith(id);
    }

    /** Stores a device-login approval on its way to an upstream provider; empty if the code is not pending. */
    public Uni<Optional<String>> startDevice(String userCode) {
        return deviceLogins.isPending(userCode).chain(pending -> {
            if (!pending) {
                return Uni.createFrom().item(Optional.<String>empty());
            }
            String id = OpaqueTokens.newToken();
            LoginRequest stored = newRequest(id, LoginRequest.Purpose.DEVICE);
            stored.userCode = userCode;
            return Panache.withTransaction(() -> loginRequests.persist(stored)).replaceWith(Optional.of(id));
        });
    }

    /** The open login request {@code id} names, or null (unknown, expired, completed). */
    public Uni<LoginRequest> open(String id) {
        if (!OpaqueTokens.plausible(id)) {
            return Uni.createFrom().nullItem();
        }
        return Panache.withSession(() -> loginRequests.findById(OpaqueTokens.digest(id)))
                .map(request -> request != null && isOpen(request) ? request : null);
    }

    /**
     * Completes a login request for a person who just logged in. An authorization request gets
     * its code; a device login (upstream only) awaits the person's confirmation.
     */
    public Uni<Outcome> complete(byte[] requestIdHash, Authenticated login, String source) {
        OffsetDateTime now = now();
        return Panache.withTransaction(() -> loginRequests.findById(requestIdHash).chain(request -> {
            if (request == null || !isOpen(request)) {
                return Uni.createFrom().item((Outcome) new Outcome.Gone());
            }
            if (request.purpose == LoginRequest.Purpose.DEVICE) {
                String confirm = OpaqueTokens.newToken();
                request.confirmHash = OpaqueTokens.digest(confirm);
                request.userId = login.user().id;
                request.amr = String.join(" ", login.amr());
                request.authTime = now;
                return Uni.createFrom().item((Outcome) new Outcome.ConfirmDevice(confirm, request.userCode, login.user().username));
            }
            request.completedAt = now;
            String code = OpaqueTokens.newToken();
            AuthorizationCode stored = new AuthorizationCode();
            stored.codeHash = OpaqueTokens.digest(code);
            stored.clientId = request.clientId;
            stored.redirectUri = request.redirectUri;
            stored.scope = request.scope;
            stored.nonce = request.nonce;
            stored.codeChallenge = request.codeChallenge;
            stored.userId = login.user().id;
            stored.amr = String.join(" ", login.amr());
            stored.authTime = now;
            stored.createdAt = now;
            stored.expiresAt = now.plus(config.tokens().authorizationCodeLifetime());
            return codes.persist(stored).replaceWith((Outcome) new Outcome.Redirect(
                    redirect(request.redirectUri, "code", code, request.state)));
        }));
    }

    /** The person's answer on the confirmation page of a device login approved upstream. */
    public Uni<Outcome> confirmDevice(String confirmToken, boolean approve, String source) {
        if (!OpaqueTokens.plausible(confirmToken)) {
            return Uni.createFrom().item(new Outcome.Gone());
        }
        return Panache.withTransaction(() -> loginRequests.find("confirmHash", OpaqueTokens.digest(confirmToken)).firstResult()
                .chain(request -> {
                    if (request == null || !isOpen(request) || request.userId == null) {
                        return Uni.createFrom().item((LoginRequest) null);
                    }
                    request.completedAt = now();
                    return Uni.createFrom().item(request);
                })).chain(request -> request == null
                ? Uni.createFrom().item(new Outcome.Gone())
                : Panache.withSession(() -> users.findById(request.userId))
                        .chain(user -> deviceLogins.decide(request.userCode, user, List.of(request.amr.split(" ")), approve, source))
                        .map(decided -> decided ? new Outcome.DeviceDecided(approve) : new Outcome.Gone()));
    }

    /**
     * Redeems an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.6). A code presented a second
     * time ends the session its first redemption opened, and fails.
     */
    public Uni<Redeemed> redeem(String code, String clientId, String redirectUri, String verifier, String source) {
        if (!OpaqueTokens.plausible(code)) {
            return Uni.createFrom().failure(OAuthException.invalidGrant("authorization code is not valid"));
        }
        OffsetDateTime now = now();
        return Panache.withTransaction(() -> codes.findById(OpaqueTokens.digest(code)).chain(stored -> {
            if (stored == null || !stored.clientId.equals(clientId)) {
                return Uni.createFrom().<Optional<Redeemed>>failure(OAuthException.invalidGrant("authorization code is not valid"));
            }
            if (stored.usedAt != null) {
                return endSessionOfReusedCode(stored, source).replaceWith(Optional.<Redeemed>empty());
            }
            if (!stored.expiresAt.isAfter(now)) {
                return Uni.createFrom().failure(OAuthException.invalidGrant("authorization code has expired"));
            }
            if (!stored.redirectUri.equals(redirectUri)) {
                return Uni.createFrom().failure(OAuthException.invalidGrant("redirect_uri does not match the authorization request"));
            }
            if (!Pkce.verifies(verifier, stored.codeChallenge)) {
                return Uni.createFrom().failure(OAuthException.invalidGrant("code_verifier does not match the code_challenge"));
            }
            stored.usedAt = now;
            return users.findById(stored.userId).chain(user -> {
                if (user == null || user.disabledAt != null) {
                    return Uni.createFrom().failure(OAuthException.invalidGrant("the account is disabled"));
                }
                return sessions.open(user, clientId, stored.authenticationMethods(), stored.authTime, Optional.empty(), source)
                        .chain(tokenSet -> {
                            stored.sessionId = tokenSet.sessionId();
                            return idToken(stored, user, tokenSet).map(id -> Optional.of(new Redeemed(tokenSet, id, stored.scope)));
                        });
            });
        })).call(result -> result.isPresent() ? Uni.createFrom().voidItem() : revocations.catchUp())
                .map(result -> result.orElseThrow(() -> OAuthException.invalidGrant(
                        "authorization code was already used; the session it opened has been ended")));
    }

    private Uni<Optional<String>> idToken(AuthorizationCode code, User user, TokenSet tokenSet) {
        if (!code.scopes().contains("openid")) {
            return Uni.createFrom().item(Optional.empty());
        }
        return tokens.issueIdToken(new TokenIssuer.IdTokenClaims(user.id.toString(), user.username, code.clientId,
                        tokenSet.sessionId().toString(), sessions.groupsOf(user), code.authenticationMethods(),
                        code.authTime.toInstant(), Optional.ofNullable(code.nonce), Optional.ofNullable(user.displayName),
                        Optional.ofNullable(user.email), tokenSet.accessToken()))
                .map(Optional::of);
    }

    private Uni<Void> endSessionOfReusedCode(AuthorizationCode code, String source) {
        Log.warnf("authorization code presented twice (client %s): ending the session it opened", code.clientId);
        Uni<Void> end = code.sessionId == null ? Uni.createFrom().voidItem()
                : sessionRepository.findById(code.sessionId).chain(session -> session == null
                        ? Uni.createFrom().voidItem() : sessions.end(session, CODE_REUSE_REASON, source));
        return end.chain(() -> audit.record("authorization_code.reuse", false, code.userId.toString(),
                code.sessionId == null ? null : code.sessionId.toString(), source, "client " + code.clientId));
    }

    /** {@code base} with {@code name=value}, {@code state} and {@code iss} (RFC 9207) appended. */
    public URI redirect(String base, String name, String value, String state) {
        StringBuilder uri = new StringBuilder(base).append(base.contains("?") ? '&' : '?')
                .append(name).append('=').append(encode(value));
        if (state != null) {
            uri.append("&state=").append(encode(state));
        }
        uri.append("&iss=").append(encode(config.issuer()));
        return URI.create(uri.toString());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private LoginRequest newRequest(String id, LoginRequest.Purpose purpose) {
        LoginRequest request = new LoginRequest();
        request.idHash = OpaqueTokens.digest(id);
        request.purpose = purpose;
        request.createdAt = now();
        request.expiresAt = request.createdAt.plus(config.tokens().loginRequestLifetime());
        return request;
    }

    private boolean isOpen(LoginRequest request) {
        return request.completedAt == null && request.expiresAt.isAfter(now());
    }

    private OffsetDateTime now() {
        return Times.utcNow(clock);
    }
}
