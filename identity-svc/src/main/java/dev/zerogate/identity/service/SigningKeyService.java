package dev.zerogate.identity.service;

import dev.zerogate.identity.SigningKey;
import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.identity.repository.SigningKeyRepository;
import dev.zerogate.servicekit.keys.KeySet;
import dev.zerogate.servicekit.keys.RotationSchedule;
import dev.zerogate.servicekit.keys.SigningKeyMaterial;
import dev.zerogate.servicekit.keys.SigningKeyRing;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Clock;

/**
 * The keys that sign access tokens: exactly one active key signs; when it has been active for
 * the rotation period (or an admin asks) a new key takes over and the old one stays published
 * in the JWKS until every token it signed has expired, then it is deleted.
 *
 * <p>The logic is service-kit's {@link SigningKeyRing} (see there for replicas and clock skew);
 * this bean binds it to the {@code signing_keys} table and identity-svc's master key and
 * settings, loads the first key at start and schedules reloads and rotation.
 */
@ApplicationScoped
public class SigningKeyService {

    /**
     * Associated data of a sealed key before its kid. Fixed: the keys in the table were sealed
     * with it.
     */
    private static final String SEAL_PREFIX = "signing-key:";

    private final SigningKeyRing<SigningKey> ring;

    SigningKeyService(SigningKeyRepository keys, MasterKey masterKey, IdentityConfig config, Clock clock) {
        this.ring = new SigningKeyRing<>(keys, new SigningKeyMaterial(masterKey.sealer(), SEAL_PREFIX, "signing key"),
                new RotationSchedule(config.keys().rotationPeriod(), config.tokens().accessTokenLifetime(),
                        config.keys().reloadInterval()),
                clock);
    }

    void onStart(@Observes StartupEvent event) throws Throwable {
        KeySet<SigningKey> loaded = VertxContextSupport.subscribeAndAwait(() -> ensureActiveKey().chain(this::reload));
        Log.infof("signing with key %s (%d published)", loaded.activeKid(), loaded.published().size());
    }

    /** The current key set, reloaded from the database when older than the reload interval. */
    public Uni<KeySet<SigningKey>> keySet() {
        return ring.keySet();
    }

    /**
     * The key set last loaded, without touching the database: for synchronous verifiers (gRPC
     * interceptors). Kept fresh by {@link #reloadPeriodically()} and every {@link #keySet()}.
     */
    public KeySet<SigningKey> cachedKeySet() {
        return ring.cachedKeySet();
    }

    /** Picks up keys rotated by another replica even when nothing asks for the key set. */
    @Scheduled(every = "${zerogate.identity.keys.reload-interval:30s}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> reloadPeriodically() {
        return reload().replaceWithVoid();
    }

    /** Reads the active and published keys from the database and makes them current. */
    public Uni<KeySet<SigningKey>> reload() {
        return ring.reload();
    }

    /** Creates the first key if there is none. Safe when several replicas start at once. */
    Uni<Void> ensureActiveKey() {
        return ring.ensureActiveKey();
    }

    /**
     * Retires the active key and activates a new one; the retired key stays published until
     * tokens it signed can no longer be valid. Also deletes keys past that point.
     *
     * @return the new key set
     */
    public Uni<KeySet<SigningKey>> rotate() {
        return ring.rotate();
    }

    /** Rotates when the active key has served its period, and drops keys nobody can need. */
    @Scheduled(every = "${zerogate.identity.keys.check-interval:1h}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public Uni<Void> rotateWhenDue() {
        return ring.rotateWhenDue();
    }
}
