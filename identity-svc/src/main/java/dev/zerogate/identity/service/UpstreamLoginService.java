package dev.zerogate.identity.service;

import dev.zerogate.identity.UpstreamIdentity;
import dev.zerogate.identity.UpstreamLogin;
import dev.zerogate.identity.User;
import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.identity.crypto.OpaqueTokens;
import dev.zerogate.identity.crypto.Pkce;
import dev.zerogate.identity.repository.UpstreamIdentityRepository;
import dev.zerogate.identity.repository.UpstreamLoginRepository;
import dev.zerogate.identity.repository.UserRepository;
import dev.zerogate.identity.service.LocalAccountService.Authenticated;
import dev.zerogate.identity.service.UpstreamProviders.UpstreamAccount;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Logging in through an upstream OpenID provider: {@link #begin} sends the browser there
 * with a fresh state, nonce and PKCE verifier; {@link #finish} takes the provider's code back,
 * verifies its ID token, and finds or creates the zerogate user linked to that upstream
 * account (by issuer and subject, never by e-mail: two providers may both claim an address).
 * The user's upstream groups are refreshed at every login.
 */
@ApplicationScoped
public class UpstreamLoginService {

    /** RFC 8176 methods an upstream may report that say more than "a password". */
    private static final Set<String> PASSED_THROUGH_AMR = Set.of("otp", "mfa", "hwk", "swk", "fpt", "face", "sms", "pin", "sc");
    private static final int MAX_GROUPS = 200;
    private static final int MAX_GROUP_LENGTH = 256;

    /** A finished upstream login: the login request it belongs to, and who logged in. */
    public record Finished(byte[] loginRequestId, Authenticated login) {
    }

    private final UpstreamProviders providers;
    private final UpstreamLoginRepository logins;
    private final UpstreamIdentityRepository identities;
    private final UserRepository users;
    private final IdentityAuditLog audit;
    private final IdentityConfig config;
    private final Clock clock;

    UpstreamLoginService(UpstreamProviders providers, UpstreamLoginRepository logins, UpstreamIdentityRepository identities,
                         UserRepository users, IdentityAuditLog audit, IdentityConfig config, Clock clock) {
        this.providers = providers;
        this.logins = logins;
        this.identities = identities;
        this.users = users;
        this.audit = audit;
        this.config = config;
        this.clock = clock;
    }

    /** Records the round trip and returns the provider's authorization URL. */
    public Uni<URI> begin(String provider, byte[] loginRequestId) {
        if (!providers.exists(provider)) {
            return Uni.createFrom().failure(new LoginFailedException("unknown identity provider"));
        }
        String state = OpaqueTokens.newToken();
        UpstreamLogin login = new UpstreamLogin();
        login.stateHash = OpaqueTokens.digest(state);
        login.loginRequestId = loginRequestId;
        login.provider = provider;
        login.nonce = OpaqueTokens.newToken();
        login.codeVerifier = Pkce.newVerifier();
        login.createdAt = now();
        login.expiresAt = login.createdAt.plus(config.tokens().loginRequestLifetime());
        return providers.authorizationUrl(provider, state, login.nonce, login.codeVerifier)
                .call(() -> Panache.withTransaction(() -> logins.persist(login)));
    }

    /**
     * Completes the round trip named by {@code state}. The state is spent first, so a replayed
     * callback does nothing.
     */
    public Uni<Finished> finish(String state, String code, String source) {
        if (!OpaqueTokens.plausible(state) || code == null || code.isEmpty() || code.length() > 2048) {
            return Uni.createFrom().failure(new LoginFailedException("this login link is not valid; start again"));
        }
        OffsetDateTime now = now();
        return Panache.withTransaction(() -> logins.findById(OpaqueTokens.digest(state)).map(login -> {
            if (login == null || login.usedAt != null || !login.expiresAt.isAfter(now)) {
                throw new LoginFailedException("this login has expired or was already used; start again");
            }
            login.usedAt = now;
            return login;
        })).chain(login -> providers.exchange(login.provider, code, login.codeVerifier, login.nonce)
                .onFailure(LoginFailedException.class).call(e -> audited(login.provider, source, false, e.getMessage()))
                .chain(account -> Panache.withTransaction(() -> linkedUser(account, now))
                        .call(user -> audited(user.id.toString(), source, true, "upstream " + login.provider))
                        .map(user -> new Finished(login.loginRequestId, new Authenticated(user, amr(account))))));
    }

    /** {@code upstream}, plus what the provider says beyond a password (so that "MFA required" rules can see it). */
    private static List<String> amr(UpstreamAccount account) {
        List<String> amr = new ArrayList<>(List.of("upstream"));
        account.authenticationMethods().stream().filter(PASSED_THROUGH_AMR::contains).distinct().forEach(amr::add);
        return List.copyOf(amr);
    }

    /** The user linked to the upstream account, created at first login; groups refreshed. */
    private Uni<User> linkedUser(UpstreamAccount account, OffsetDateTime now) {
        return identities.findById(new UpstreamIdentity.Key(account.issuer(), account.subject())).chain(link -> {
            if (link != null) {
                link.lastLoginAt = now;
                return users.findById(link.userId).map(user -> refreshed(user, account));
            }
            return uniqueUsername(account).chain(username -> {
                User user = User.create(username, account.name().orElse(null));
                user.createdAt = now;
                refreshed(user, account);
                UpstreamIdentity created = new UpstreamIdentity();
                created.issuer = account.issuer();
                created.subject = account.subject();
                created.provider = account.provider();
                created.userId = user.id;
                created.createdAt = now;
                created.lastLoginAt = now;
                return users.persist(user).call(() -> identities.persist(created))
                        .call(() -> audit.record("user.created", true, "upstream " + account.provider(), user.id.toString(),
                                null, "first login of " + username));
            });
        }).map(user -> {
            if (user.disabledAt != null) {
                throw new LoginFailedException("this account is disabled");
            }
            return user;
        });
    }

    private static User refreshed(User user, UpstreamAccount account) {
        account.email().ifPresent(email -> user.email = email);
        account.name().ifPresent(name -> user.displayName = name);
        List<String> groups = new ArrayList<>();
        for (String group : account.groups()) {
            String clean = group.replace('\n', ' ').replace('\r', ' ').strip();
            if (!clean.isEmpty() && clean.length() <= MAX_GROUP_LENGTH && groups.size() < MAX_GROUPS && !groups.contains(clean)) {
                groups.add(clean);
            }
        }
        user.upstreamGroups = String.join("\n", groups);
        return user;
    }

    /**
     * A username from the upstream's preferred_username or e-mail, made to fit the username
     * rules; if taken, suffixed with a short digest of the upstream subject.
     */
    private Uni<String> uniqueUsername(UpstreamAccount account) {
        String base = account.preferredUsername().or(account::email).orElse("user")
                .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._@-]", "-").replaceAll("^[^a-z0-9]+", "");
        if (base.isEmpty()) {
            base = "user";
        }
        base = base.length() > 100 ? base.substring(0, 100) : base;
        String candidate = base;
        String suffixed = base + "-" + shortDigest(account.issuer() + " " + account.subject());
        return users.findByUsername(candidate).map(existing -> existing == null ? candidate : suffixed);
    }

    private static String shortDigest(String value) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Uni<Void> audited(String actor, String source, boolean success, String detail) {
        return Panache.withTransaction(() -> audit.record("login", success, actor, null, source, detail));
    }

    private OffsetDateTime now() {
        return Times.utcNow(clock);
    }
}
