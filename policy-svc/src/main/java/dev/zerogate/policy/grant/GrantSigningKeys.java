package dev.zerogate.policy.grant;

import dev.zerogate.policy.GrantSigningKey;
import dev.zerogate.policy.config.PolicyConfig;
import dev.zerogate.policy.repository.GrantSigningKeyRepository;
import dev.zerogate.servicekit.keys.KeySet;
import dev.zerogate.servicekit.keys.RotationSchedule;
import dev.zerogate.servicekit.keys.SigningKeyMaterial;
import dev.zerogate.servicekit.keys.SigningKeyRing;
import dev.zerogate.servicekit.secret.SecretSealer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The keys that sign access grants, policy-svc's own (never identity-svc's token keys): exactly
 * one active key signs; when it has served the rotation interval (or on demand) a new key takes
 * over and the old one stays published until every grant it signed has expired, then it is
 * deleted.
 *
 * <p>The logic is service-kit's {@link SigningKeyRing} (see there for replicas, the one-active
 * index and clock skew); this bean binds it to the {@code grant_signing_keys} table and
 * policy-svc's master key and settings, loads the first key at start, schedules reloads and
 * rotation, and answers GetGrantSigningKeys.
 */
@ApplicationScoped
public class GrantSigningKeys {

    /**
     * Associated data of a sealed key before its kid. Fixed: the keys in the table were sealed
     * with it.
     */
    private static final String SEAL_PREFIX = "grant-signing-key:";

    /** The answer of GetGrantSigningKeys: the key set and how long verifiers may cache it. */
    public record PublishedKeys(String jwksJson, Duration cacheTtl) {
    }

    private final SigningKeyRing<GrantSigningKey> ring;
    private final Duration jwksCacheTtl;

    GrantSigningKeys(GrantSigningKeyRepository keys, SecretSealer masterKey, PolicyConfig config, Clock clock) {
        PolicyConfig.Grants grants = config.grants();
        this.ring = new SigningKeyRing<>(keys, new SigningKeyMaterial(masterKey, SEAL_PREFIX, "grant signing key"),
                new RotationSchedule(grants.keyRotationInterval(), grants.lifetime(), grants.keyReloadInterval()), clock);
        this.jwksCacheTtl = grants.jwksCacheTtl();
    }

    void onStart(@Observes StartupEvent event) throws Throwable {
        KeySet<GrantSigningKey> loaded = VertxContextSupport.subscribeAndAwait(() -> ensureActiveKey().chain(this::reload));
        Log.infof("signing grants with key %s (%d published)", loaded.activeKid(), loaded.published().size());
    }

    /** The current key set, reloaded from the database when older than the reload interval. */
    public Uni<KeySet<GrantSigningKey>> keySet() {
        return ring.keySet();
    }

    /**
     * The key set last loaded, without touching the database: for signing on the request path.
     * Kept fresh by {@link #reloadPeriodically()} and every {@link #keySet()}.
     */
    public KeySet<GrantSigningKey> cachedKeySet() {
        return ring.cachedKeySet();
    }

    /** The active key last loaded, for {@link GrantIssuer}. */
    public GrantIssuer.SigningKey signingKey() {
        KeySet<GrantSigningKey> keys = cachedKeySet();
        return new GrantIssuer.SigningKey(keys.activeKid(), keys.activeKey());
    }

    /**
     * What GetGrantSigningKeys answers. When the database cannot be read, the key set last loaded
     * is served: its keys are public and still verify what this replica signs; a verifier that
     * meets a newer kid asks again later.
     */
    public Uni<PublishedKeys> publishedKeys() {
        return keySet().map(KeySet::jwksJson)
                .onFailure().recoverWithUni(failure -> {
                    Optional<KeySet<GrantSigningKey>> cached = ring.lastLoaded();
                    if (cached.isEmpty()) {
                        Log.warnf("grant signing keys cannot be read (%s) and none are loaded", failure.getClass().getSimpleName());
                        return Uni.createFrom().failure(failure);
                    }
                    Log.warnf("grant signing keys cannot be reloaded (%s); publishing the set loaded at %s",
                            failure.getClass().getSimpleName(), cached.get().loadedAt());
                    return Uni.createFrom().item(cached.get().jwksJson());
                })
                .map(jwks -> new PublishedKeys(jwks, jwksCacheTtl));
    }

    /** Picks up keys rotated by another replica even when nothing asks for the key set. */
    @Scheduled(every = "${zerogate.policy.grants.key-reload-interval:30s}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> reloadPeriodically() {
        return reload().replaceWithVoid();
    }

    /** Reads the active and published keys from the database and makes them current. */
    public Uni<KeySet<GrantSigningKey>> reload() {
        return ring.reload();
    }

    /** Creates the first key if there is none. Safe when several replicas start at once. */
    public Uni<Void> ensureActiveKey() {
        return ring.ensureActiveKey();
    }

    /**
     * Retires the active key and activates a new one; the retired key stays published until
     * grants it signed can no longer be valid. Also deletes keys past that point.
     *
     * @return the new key set
     */
    public Uni<KeySet<GrantSigningKey>> rotate() {
        return ring.rotate();
    }

    /** Rotates when the active key has served its interval, and drops keys nobody can need. */
    @Scheduled(every = "${zerogate.policy.grants.key-check-interval:1h}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public Uni<Void> rotateWhenDue() {
        return ring.rotateWhenDue();
    }
}
