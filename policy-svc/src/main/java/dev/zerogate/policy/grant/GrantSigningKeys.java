package dev.zerogate.policy.grant;

import dev.zerogate.policy.GrantSigningKey;
import dev.zerogate.policy.config.PolicyConfig;
import dev.zerogate.policy.repository.GrantSigningKeyRepository;
import dev.zerogate.servicekit.grant.GrantClaims;
import dev.zerogate.servicekit.secret.SecretSealer;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.lang.JoseException;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The keys that sign access grants, policy-svc's own (never identity-svc's token keys): exactly
 * one active key signs; when it has served the rotation interval (or on demand) a new key takes
 * over and the old one stays published until every grant it signed has expired, then it is
 * deleted.
 *
 * <p>Every replica signs with the active key it last loaded and reloads every
 * {@code key-reload-interval}; a retired key's publication is extended by that interval (and a
 * minute of clock skew) so that a grant signed by a replica that has not noticed the rotation yet
 * still verifies. Several replicas may start or rotate at once: the database's one-active index
 * lets exactly one of them create the key, and the others load it.
 */
@ApplicationScoped
public class GrantSigningKeys {

    private static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    /** What a replica signs and publishes with, loaded together so that they agree. */
    public record KeySet(String activeKid, PrivateKey activeKey, List<GrantSigningKey> published, Instant loadedAt) {

        /** The JWK Set (RFC 7517) of the published keys, as JSON text. */
        public String jwksJson() {
            return published.stream().map(k -> k.publicJwk).collect(Collectors.joining(",", "{\"keys\":[", "]}"));
        }

        /** The active key, for {@link GrantIssuer}. */
        public GrantIssuer.SigningKey signingKey() {
            return new GrantIssuer.SigningKey(activeKid, activeKey);
        }

        /** Names the keys only: a key set may end up in a log line. */
        @Override
        public String toString() {
            return "KeySet[active=" + activeKid + ", published=" + published.size() + ", loadedAt=" + loadedAt + "]";
        }
    }

    /** The answer of GetGrantSigningKeys: the key set and how long verifiers may cache it. */
    public record PublishedKeys(String jwksJson, Duration cacheTtl) {
    }

    private final GrantSigningKeyRepository keys;
    private final SecretSealer masterKey;
    private final PolicyConfig.Grants config;
    private final Clock clock;
    private volatile KeySet current;

    GrantSigningKeys(GrantSigningKeyRepository keys, SecretSealer masterKey, PolicyConfig config, Clock clock) {
        this.keys = keys;
        this.masterKey = masterKey;
        this.config = config.grants();
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent event) throws Throwable {
        KeySet loaded = VertxContextSupport.subscribeAndAwait(() -> ensureActiveKey().chain(this::reload));
        Log.infof("signing grants with key %s (%d published)", loaded.activeKid(), loaded.published().size());
    }

    /** The current key set, reloaded from the database when older than the reload interval. */
    public Uni<KeySet> keySet() {
        KeySet cached = current;
        if (cached != null && cached.loadedAt().plus(config.keyReloadInterval()).isAfter(clock.instant())) {
            return Uni.createFrom().item(cached);
        }
        return reload();
    }

    /**
     * The key set last loaded, without touching the database: for signing on the request path.
     * Kept fresh by {@link #reloadPeriodically()} and every {@link #keySet()}.
     */
    public KeySet cachedKeySet() {
        KeySet cached = current;
        if (cached == null) {
            throw new IllegalStateException("grant signing keys not loaded yet");
        }
        return cached;
    }

    /**
     * What GetGrantSigningKeys answers. When the database cannot be read, the key set last loaded
     * is served: its keys are public and still verify what this replica signs; a verifier that
     * meets a newer kid asks again later.
     */
    public Uni<PublishedKeys> publishedKeys() {
        return keySet().map(KeySet::jwksJson)
                .onFailure().recoverWithUni(failure -> {
                    KeySet cached = current;
                    if (cached == null) {
                        Log.warnf("grant signing keys cannot be read (%s) and none are loaded", failure.getClass().getSimpleName());
                        return Uni.createFrom().failure(failure);
                    }
                    Log.warnf("grant signing keys cannot be reloaded (%s); publishing the set loaded at %s",
                            failure.getClass().getSimpleName(), cached.loadedAt());
                    return Uni.createFrom().item(cached.jwksJson());
                })
                .map(jwks -> new PublishedKeys(jwks, config.jwksCacheTtl()));
    }

    /** Picks up keys rotated by another replica even when nothing asks for the key set. */
    @Scheduled(every = "${zerogate.policy.grants.key-reload-interval:30s}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> reloadPeriodically() {
        return reload().replaceWithVoid();
    }

    /** Reads the active and published keys from the database and makes them current. */
    public Uni<KeySet> reload() {
        OffsetDateTime now = now();
        return Panache.withSession(() -> keys.findPublished(now)).map(published -> {
            GrantSigningKey active = published.stream().filter(k -> k.status == GrantSigningKey.Status.ACTIVE).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no active grant signing key"));
            KeySet loaded = new KeySet(active.kid, openPrivateKey(active), List.copyOf(published), clock.instant());
            KeySet previous = current;
            current = loaded;
            if (previous != null && !previous.activeKid().equals(loaded.activeKid())) {
                Log.infof("signing grants with key %s now (was %s)", loaded.activeKid(), previous.activeKid());
            }
            return loaded;
        });
    }

    /** Creates the first key if there is none. Safe when several replicas start at once. */
    public Uni<Void> ensureActiveKey() {
        return Panache.withTransaction(() -> keys.findActive().chain(active -> active != null
                        ? Uni.createFrom().voidItem()
                        : keys.persist(newKey(now())).replaceWithVoid()))
                // Another replica created it first: the unique index refused ours, theirs is fine.
                .onFailure(GrantSigningKeys::isUniqueViolation).recoverWithNull().replaceWithVoid();
    }

    /**
     * Retires the active key and activates a new one; the retired key stays published until
     * grants it signed can no longer be valid. Also deletes keys past that point.
     *
     * @return the new key set
     */
    public Uni<KeySet> rotate() {
        OffsetDateTime now = now();
        OffsetDateTime notAfter = now.plus(config.lifetime()).plus(config.keyReloadInterval()).plus(CLOCK_SKEW);
        return Panache.withTransaction(() -> keys.findActive().chain(active -> {
                    Uni<Void> retire = Uni.createFrom().voidItem();
                    if (active != null) {
                        active.status = GrantSigningKey.Status.RETIRED;
                        active.retiredAt = now;
                        active.notAfter = notAfter;
                        // Flushed before the insert: the partial unique index allows one ACTIVE.
                        retire = Panache.getSession().chain(session -> session.flush());
                    }
                    GrantSigningKey next = newKey(now);
                    return retire.chain(() -> keys.persist(next))
                            .invoke(() -> Log.infof("rotated grant signing key: %s is active, %s retired until %s",
                                    next.kid, active == null ? "none" : active.kid, notAfter));
                }).chain(() -> keys.deleteExpired(now)))
                .chain(this::reload);
    }

    /** Rotates when the active key has served its interval, and drops keys nobody can need. */
    @Scheduled(every = "${zerogate.policy.grants.key-check-interval:1h}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public Uni<Void> rotateWhenDue() {
        return Panache.withSession(() -> keys.findActive()).chain(active -> {
            if (active != null && active.createdAt.plus(config.keyRotationInterval()).isAfter(now())) {
                return Panache.withTransaction(() -> keys.deleteExpired(now())).replaceWithVoid();
            }
            return rotate().replaceWithVoid();
        }).onFailure(GrantSigningKeys::isUniqueViolation).recoverWithNull().replaceWithVoid();
    }

    private GrantSigningKey newKey(OffsetDateTime now) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            PublicJsonWebKey jwk = PublicJsonWebKey.Factory.newPublicJwk(pair.getPublic());
            String kid = jwk.calculateBase64urlEncodedThumbprint("SHA-256");
            jwk.setKeyId(kid);
            jwk.setAlgorithm(GrantClaims.ALGORITHM);
            jwk.setUse("sig");
            GrantSigningKey key = new GrantSigningKey();
            key.kid = kid;
            key.alg = GrantClaims.ALGORITHM;
            key.publicJwk = jwk.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
            key.privateKeySealed = masterKey.seal(sealName(kid), pair.getPrivate().getEncoded());
            key.status = GrantSigningKey.Status.ACTIVE;
            key.createdAt = now;
            return key;
        } catch (GeneralSecurityException | JoseException e) {
            throw new IllegalStateException("cannot generate a P-256 grant signing key", e);
        }
    }

    private PrivateKey openPrivateKey(GrantSigningKey key) {
        try {
            byte[] pkcs8 = masterKey.open(sealName(key.kid), key.privateKeySealed);
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("grant signing key " + key.kid + " is not a valid EC private key", e);
        }
    }

    /** The associated data of a sealed key: a sealed key copied to another row does not open. */
    private static String sealName(String kid) {
        return "grant-signing-key:" + kid;
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    private static boolean isUniqueViolation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (message.contains("grant_signing_keys_one_active") || message.contains("grant_signing_keys_pkey")) {
                return true;
            }
        }
        return false;
    }
}
