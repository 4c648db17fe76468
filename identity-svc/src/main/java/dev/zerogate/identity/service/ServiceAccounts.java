package dev.zerogate.identity.service;

import dev.zerogate.identity.AccessTokenClaims;
import dev.zerogate.identity.IdentityException;
import dev.zerogate.identity.IdentityException.Kind;
import dev.zerogate.identity.Revocation.SubjectKind;
import dev.zerogate.identity.ServiceAccount;
import dev.zerogate.identity.ServiceAccountKey;
import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.identity.crypto.OpaqueTokens;
import dev.zerogate.identity.repository.ServiceAccountKeyRepository;
import dev.zerogate.identity.repository.ServiceAccountRepository;
import dev.zerogate.identity.service.PageRequest.Page;
import dev.zerogate.servicekit.token.PrincipalKind;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Parameters;
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
import java.util.regex.Pattern;

/**
 * Service accounts: non-human principals for CI jobs and scripts. Each signs in with a key
 * through the OAuth client credentials grant (RFC 6749 §4.4): client_id = key id, client_secret
 * = the key's secret ({@code zgsk_} + 256 random bits, shown once, stored as a digest). Keys
 * always expire (at most a year), at most ten are usable at once, and revoking the account
 * revokes them all and refuses its tokens at once.
 */
@ApplicationScoped
public class ServiceAccounts {

    public static final String SECRET_PREFIX = "zgsk_";
    public static final int MAX_USABLE_KEYS = 10;
    static final Duration MAX_KEY_LIFETIME = Duration.ofDays(365);
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");

    /** A service account with the number of its usable keys. */
    public record AccountView(ServiceAccount account, long usableKeys) {
    }

    /** A new key and its secret (shown once). */
    public record NewKey(ServiceAccountKey key, String secret) {
    }

    private final ServiceAccountRepository accounts;
    private final ServiceAccountKeyRepository keys;
    private final TokenIssuer tokens;
    private final RevocationLog revocations;
    private final IdentityAuditLog audit;
    private final IdentityConfig config;
    private final Clock clock;

    ServiceAccounts(ServiceAccountRepository accounts, ServiceAccountKeyRepository keys, TokenIssuer tokens,
                    RevocationLog revocations, IdentityAuditLog audit, IdentityConfig config, Clock clock) {
        this.accounts = accounts;
        this.keys = keys;
        this.tokens = tokens;
        this.revocations = revocations;
        this.audit = audit;
        this.config = config;
        this.clock = clock;
    }

    public Uni<AccountView> create(String name, String description, String admin, String source) {
        if (name == null || !NAME.matcher(name).matches()) {
            return Uni.createFrom().failure(new IdentityException(Kind.INVALID_ARGUMENT,
                    "name must be 1 to 63 lowercase letters, digits and '-', starting with a letter"));
        }
        if (description != null && description.codePointCount(0, description.length()) > 1000) {
            return Uni.createFrom().failure(new IdentityException(Kind.INVALID_ARGUMENT, "description is longer than 1000 characters"));
        }
        return Panache.withTransaction(() -> accounts.find("name", name).firstResult().chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().failure(new IdentityException(Kind.ALREADY_EXISTS, "a service account named " + name + " exists"));
            }
            ServiceAccount account = new ServiceAccount();
            account.id = UUID.randomUUID();
            account.name = name;
            account.description = description == null ? "" : description;
            account.createdAt = now();
            return accounts.persist(account)
                    .call(() -> audit.record("service_account.created", true, admin, account.id.toString(), source, name))
                    .map(saved -> new AccountView(saved, 0));
        }));
    }

    /** Service accounts ordered by name, optionally by a substring of the name and revoked or not. */
    public Uni<Page<AccountView>> list(PageRequest page, String nameContains, Optional<Boolean> revoked) {
        Parameters params = new Parameters();
        StringBuilder where = new StringBuilder("1 = 1");
        if (nameContains != null && !nameContains.isBlank()) {
            where.append(" and name like :q");
            params.and("q", "%" + nameContains.strip().toLowerCase(java.util.Locale.ROOT).replace("%", "").replace("_", "") + "%");
        }
        revoked.ifPresent(r -> where.append(r ? " and revokedAt is not null" : " and revokedAt is null"));
        if (page.after().isPresent()) {
            where.append(" and name > :after");
            params.and("after", page.afterPart(0));
        }
        String query = where + " order by name";
        OffsetDateTime now = now();
        return Panache.withSession(() -> accounts.find(query, params).page(0, page.size() + 1).list()
                .chain(found -> withKeyCounts(found, now))
                .map(views -> page.page(views, v -> new String[] {v.account().name})));
    }

    private Uni<List<AccountView>> withKeyCounts(List<ServiceAccount> found, OffsetDateTime now) {
        Uni<List<AccountView>> result = Uni.createFrom().item(new java.util.ArrayList<>());
        for (ServiceAccount account : found) {
            result = result.chain(views -> keys.countUsable(account.id, now).map(count -> {
                views.add(new AccountView(account, account.revokedAt == null ? count : 0));
                return views;
            }));
        }
        return result.map(List::copyOf);
    }

    /** Revokes the account and all its keys; its tokens are refused from now on. Idempotent. */
    public Uni<AccountView> revoke(UUID id, String reason, String admin, String source) {
        OffsetDateTime now = now();
        return Panache.withTransaction(() -> found(id).chain(account -> {
            if (account.revokedAt != null) {
                return Uni.createFrom().item(account);
            }
            account.revokedAt = now;
            account.revocationReason = reason;
            return keys.revokeAll(id, now)
                    .chain(() -> revocations.append(SubjectKind.SERVICE_ACCOUNT, id, "ADMIN", reason))
                    .chain(() -> audit.record("service_account.revoked", true, admin, id.toString(), source, reason))
                    .replaceWith(account);
        })).call(revocations::catchUp).map(account -> new AccountView(account, 0));
    }

    public Uni<NewKey> createKey(UUID accountId, String description, OffsetDateTime expiresAt, String admin, String source) {
        OffsetDateTime now = now();
        if (expiresAt == null || !expiresAt.isAfter(now) || expiresAt.isAfter(now.plus(MAX_KEY_LIFETIME))) {
            return Uni.createFrom().failure(new IdentityException(Kind.INVALID_ARGUMENT,
                    "expires_at must be in the future and at most 365 days from now"));
        }
        if (description != null && description.codePointCount(0, description.length()) > 200) {
            return Uni.createFrom().failure(new IdentityException(Kind.INVALID_ARGUMENT, "description is longer than 200 characters"));
        }
        return Panache.withTransaction(() -> found(accountId).chain(account -> {
            if (account.revokedAt != null) {
                return Uni.createFrom().failure(new IdentityException(Kind.FAILED_PRECONDITION, "the service account is revoked"));
            }
            return keys.countUsable(accountId, now).chain(count -> {
                if (count >= MAX_USABLE_KEYS) {
                    return Uni.createFrom().failure(new IdentityException(Kind.RESOURCE_EXHAUSTED,
                            "the service account already has " + MAX_USABLE_KEYS + " unexpired keys: revoke one first"));
                }
                String secret = SECRET_PREFIX + OpaqueTokens.newToken();
                ServiceAccountKey key = new ServiceAccountKey();
                key.id = UUID.randomUUID();
                key.serviceAccountId = accountId;
                key.description = description == null ? "" : description;
                key.secretHash = OpaqueTokens.digest(secret);
                key.secretPrefix = secret.substring(0, 8);
                key.createdAt = now;
                key.expiresAt = expiresAt;
                return keys.persist(key)
                        .call(() -> audit.record("service_account.key_created", true, admin, key.id.toString(), source,
                                "for " + account.name + ", expires " + expiresAt))
                        .map(saved -> new NewKey(saved, secret));
            });
        }));
    }

    /** Keys of one account, newest first. */
    public Uni<Page<ServiceAccountKey>> listKeys(UUID accountId, PageRequest page) {
        Parameters params = Parameters.with("account", accountId);
        String where = "serviceAccountId = :account";
        if (page.after().isPresent()) {
            where += " and (createdAt < :afterTime or (createdAt = :afterTime and id < :afterId))";
            params.and("afterTime", OffsetDateTime.parse(page.afterPart(0))).and("afterId", UUID.fromString(page.afterPart(1)));
        }
        String query = where + " order by createdAt desc, id desc";
        return Panache.withSession(() -> found(accountId).chain(account -> keys.find(query, params).page(0, page.size() + 1).list()))
                .map(found -> page.page(found, k -> new String[] {k.createdAt.toString(), k.id.toString()}));
    }

    /** Revokes one key: no new tokens with it; tokens already issued expire on their own. Idempotent. */
    public Uni<ServiceAccountKey> revokeKey(UUID keyId, String reason, String admin, String source) {
        return Panache.withTransaction(() -> keys.findById(keyId).chain(key -> {
            if (key == null) {
                return Uni.createFrom().failure(new IdentityException(Kind.NOT_FOUND, "no key " + keyId));
            }
            if (key.revokedAt != null) {
                return Uni.createFrom().item(key);
            }
            key.revokedAt = now();
            return audit.record("service_account.key_revoked", true, admin, keyId.toString(), source, reason).replaceWith(key);
        }));
    }

    /** The account a key belongs to (for listing), or NOT_FOUND. */
    public Uni<Optional<ServiceAccount>> accountOf(UUID accountId) {
        return Panache.withSession(() -> accounts.findById(accountId)).map(Optional::ofNullable);
    }

    /**
     * The client credentials grant: a short-lived access token for the key's service account.
     * Every failure is the same {@code invalid_client} (RFC 6749 §5.2), audited with its cause.
     */
    public Uni<TokenIssuer.Issued> clientCredentials(String clientId, String secret, String source) {
        UUID keyId;
        try {
            keyId = UUID.fromString(clientId == null ? "" : clientId);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(OAuthException.invalidClient("client authentication failed"));
        }
        OffsetDateTime now = now();
        return Panache.withTransaction(() -> keys.findById(keyId).chain(key -> {
            String refusal = key == null ? "unknown key"
                    : secret == null || !OpaqueTokens.plausible(secret) || !MessageDigest.isEqual(key.secretHash, OpaqueTokens.digest(secret))
                    ? "wrong secret"
                    : key.revokedAt != null ? "key revoked"
                    : !key.expiresAt.isAfter(now) ? "key expired" : null;
            if (refusal != null) {
                return audit.record("token.client_credentials", false, clientId, null, source, refusal).replaceWith(Optional.<ServiceAccount>empty());
            }
            return accounts.findById(key.serviceAccountId).chain(account -> {
                if (account == null || account.revokedAt != null) {
                    return audit.record("token.client_credentials", false, clientId, null, source, "service account revoked")
                            .replaceWith(Optional.<ServiceAccount>empty());
                }
                key.lastUsedAt = now;
                return audit.record("token.client_credentials", true, account.id.toString(), key.id.toString(), source, account.name)
                        .replaceWith(Optional.of(account));
            });
        })).chain(account -> account.isEmpty()
                ? Uni.createFrom().failure(OAuthException.invalidClient("client authentication failed"))
                : tokens.issueAccessToken(new AccessTokenClaims(PrincipalKind.SERVICE_ACCOUNT, account.get().id.toString(),
                        account.get().name, UUID.randomUUID().toString(), Set.of(), Optional.empty(), List.of("svc"),
                        clock.instant(), Optional.empty())).map(token -> new TokenIssuer.Issued(token, config.tokens().accessTokenLifetime())));
    }

    private Uni<ServiceAccount> found(UUID id) {
        return accounts.findById(id).onItem().ifNull()
                .failWith(() -> new IdentityException(Kind.NOT_FOUND, "no service account " + id));
    }

    private OffsetDateTime now() {
        return Times.utcNow(clock);
    }
}
