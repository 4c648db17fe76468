package dev.zerogate.identity.service;

import dev.zerogate.identity.SigningKey;
import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.identity.repository.SigningKeyRepository;
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
import java.util.List;
import java.util.stream.Collectors;

/**
 * The keys that sign access tokens: exactly one active key signs; when it has been active for
 * the rotation period (or an admin asks) a new key takes over and the old one stays published
 * in the JWKS until every token it signed has expired, then it is deleted.
 *
 * <p>Every replica signs with the active key it last loaded and reloads every
 * {@code reload-interval}; a retired key's publication is extended by that interval (and a
 * minute of clock skew) so that a token signed by a replica that has not noticed the rotation
 * yet still verifies.
 */
@ApplicationScoped
public class SigningKeyService {

    /** JWS algorithm of every key; one algorithm until a verifier needs another. */
    public static final String ALGORITHM = "ES256";
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    /** What a replica signs and publishes with, loaded together so they agree. */
    public record KeySet(String activeKid, PrivateKey activeKey, List<SigningKey> published, Instant loadedAt) {

        /** The JWK Set (RFC 7517) of the published keys, as JSON text. */
        public String jwksJson() {
            return published.stream().map(k -> k.publicJwk).collect(Collectors.joining(",", "{\"keys\":[", "]}"));
        }
    }

    private final SigningKeyRepository keys;
    private final MasterKey masterKey;
    private final IdentityConfig config;
    private final Clock clock;
    private volatile KeySet current;

    SigningKeyService(SigningKeyRepository keys, MasterKey masterKey, IdentityConfig config, Clock clock) {
        this.keys = keys;
        this.masterKey = masterKey;
        this.config = config;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent event) throws Throwable {
        KeySet loaded = VertxContextSupport.subscribeAndAwait(() -> ensureActiveKey().chain(this::reload));
        Log.infof("signing with key %s (%d published)", loaded.activeKid(), loaded.published().size());
    }

    /** The current key set, reloaded from the database when older than the reload interval. */
    public Uni<KeySet> keySet() {
        KeySet cached = current;
        if (cached != null && cached.loadedAt().plus(config.keys().reloadInterval()).isAfter(clock.instant())) {
            return Uni.createFrom().item(cached);
        }
        return reload();
    }

    /**
     * The key set last loaded, without touching the database: for synchronous verifiers (gRPC
     * interceptors). Kept fresh by {@link #reloadPeriodically()} and every {@link #keySet()}.
     */
    public KeySet cachedKeySet() {
        KeySet cached = current;
        if (cached == null) {
            throw new IllegalStateException("signing keys not loaded yet");
        }
        return cached;
    }

    /** Picks up keys rotated by another replica even when nothing asks for the key set. */
    @Scheduled(every = "${zerogate.identity.keys.reload-interval:30s}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> reloadPeriodically() {
        return reload().replaceWithVoid();
    }

    /** Reads the active and published keys from the database and makes them current. */
    public Uni<KeySet> reload() {
        OffsetDateTime now = now();
        return Panache.withSession(() -> keys.findPublished(now)).map(published -> {
            SigningKey active = published.stream().filter(k -> k.status == SigningKey.Status.ACTIVE).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no active signing key"));
            KeySet loaded = new KeySet(active.kid, openPrivateKey(active), List.copyOf(published), clock.instant());
            current = loaded;
            return loaded;
        });
    }

    /** Creates the first key if there is none. Safe when several replicas start at once. */
    Uni<Void> ensureActiveKey() {
        return Panache.withTransaction(() -> keys.findActive().chain(active -> active != null
                        ? Uni.createFrom().voidItem()
                        : keys.persist(newKey(now())).replaceWithVoid()))
                // Another replica created it first: the unique index refused ours, theirs is fine.
                .onFailure(SigningKeyService::isUniqueViolation).recoverWithNull().replaceWithVoid();
    }

    /**
     * Retires the active key and activates a new one; the retired key stays published until
     * tokens it signed can no longer be valid. Also deletes keys past that point.
     *
     * @return the new key set
     */
    public Uni<KeySet> rotate() {
        OffsetDateTime now = now();
        OffsetDateTime notAfter = now.plus(config.tokens().accessTokenLifetime())
                .plus(config.keys().reloadInterval()).plus(CLOCK_SKEW);
        return Panache.withTransaction(() -> keys.findActive().chain(active -> {
                    Uni<Void> retire = Uni.createFrom().voidItem();
                    if (active != null) {
                        active.status = SigningKey.Status.RETIRED;
                        active.retiredAt = now;
                        active.notAfter = notAfter;
                        // Flushed before the insert: the partial unique index allows one ACTIVE.
                        retire = Panache.getSession().chain(session -> session.flush());
                    }
                    SigningKey next = newKey(now);
                    return retire.chain(() -> keys.persist(next))
                            .invoke(() -> Log.infof("rotated signing key: %s is active, %s retired until %s",
                                    next.kid, active == null ? "none" : active.kid, notAfter));
                }).chain(() -> keys.deleteExpired(now)))
                .chain(this::reload);
    }

    /** Rotates when the active key has served its period, and drops keys nobody can need. */
    @Scheduled(every = "${zerogate.identity.keys.check-interval:1h}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public Uni<Void> rotateWhenDue() {
        return Panache.withSession(() -> keys.findActive()).chain(active -> {
            if (active != null && active.createdAt.plus(config.keys().rotationPeriod()).isAfter(now())) {
                return Panache.withTransaction(() -> keys.deleteExpired(now())).replaceWithVoid();
            }
            return rotate().replaceWithVoid();
        }).onFailure(SigningKeyService::isUniqueViolation).recoverWithNull().replaceWithVoid();
    }

    private SigningKey newKey(OffsetDateTime now) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            PublicJsonWebKey jwk = PublicJsonWebKey.Factory.newPublicJwk(pair.getPublic());
            String kid = jwk.calculateBase64urlEncodedThumbprint("SHA-256");
            jwk.setKeyId(kid);
            jwk.setAlgorithm(ALGORITHM);
            jwk.setUse("sig");
            SigningKey key = new SigningKey();
            key.kid = kid;
            key.alg = ALGORITHM;
            key.publicJwk = jwk.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
            key.privateKeySealed = masterKey.seal("signing-key:" + kid, pair.getPrivate().getEncoded());
            key.status = SigningKey.Status.ACTIVE;
            key.createdAt = now;
            return key;
        } catch (GeneralSecurityException | JoseException e) {
            throw new IllegalStateException("cannot generate a P-256 signing key", e);
        }
    }

    private PrivateKey openPrivateKey(SigningKey key) {
        try {
            byte[] pkcs8 = masterKey.open("signing-key:" + key.kid, key.privateKeySealed);
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing key " + key.kid + " is not a valid EC private key", e);
        }
    }

    private OffsetDateTime now() {
        return Times.utcNow(clock);
    }

    private static boolean isUniqueViolation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains("signing_keys_one_active")
                    || String.valueOf(t.getMessage()).contains("signing_keys_pkey")) {
                return true;
            }
        }
        return false;
    }
}
