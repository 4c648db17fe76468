package dev.zerogate.servicekit.keys;

import io.smallrye.mutiny.Uni;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * Signing keys with rotation over a service's {@link SigningKeyStore}: exactly one active key
 * signs; when it has served its {@link RotationSchedule#rotationPeriod()} (or on demand) a new key
 * takes over and the old one stays published until everything it signed has expired, then it is
 * deleted. The key set is cached and read again every {@link RotationSchedule#reloadInterval()}.
 *
 * <p>Several replicas may start or rotate at once: the table's one-active index lets exactly one
 * of them write the new key; the others' attempts fail on that index, which counts as done, and
 * they load the winner's key. Not a CDI bean: each service wraps one in its own bean, which also
 * schedules {@link #reload()} and {@link #rotateWhenDue()}.
 */
public final class SigningKeyRing<K extends StoredSigningKey> {

    private static final Logger LOG = Logger.getLogger(SigningKeyRing.class);

    private final SigningKeyStore<K> store;
    private final SigningKeyMaterial material;
    private final RotationSchedule schedule;
    private final Clock clock;
    /** The key set last loaded; replaced whole, never modified. */
    private volatile KeySet<K> current;

    public SigningKeyRing(SigningKeyStore<K> store, SigningKeyMaterial material, RotationSchedule schedule, Clock clock) {
        this.store = store;
        this.material = material;
        this.schedule = schedule;
        this.clock = clock;
    }

    /** The current key set, reloaded from the database when older than the reload interval. */
    public Uni<KeySet<K>> keySet() {
        KeySet<K> cached = current;
        if (cached != null && !schedule.isReloadDue(cached.loadedAt(), clock.instant())) {
            return Uni.createFrom().item(cached);
        }
        return reload();
    }

    /**
     * The key set last loaded, without touching the database: for synchronous callers.
     *
     * @throws IllegalStateException before the first load
     */
    public KeySet<K> cachedKeySet() {
        return lastLoaded().orElseThrow(() -> new IllegalStateException(material.label() + "s not loaded yet"));
    }

    /** The key set last loaded, if any: a fallback when the database cannot be read. */
    public Optional<KeySet<K>> lastLoaded() {
        return Optional.ofNullable(current);
    }

    /** Reads the active and published keys from the database and makes them current. */
    public Uni<KeySet<K>> reload() {
        OffsetDateTime now = now();
        return store.withSession(() -> store.findPublished(now)).map(rows -> {
            List<K> published = KeySet.publishedAt(rows, now);
            K active = KeySet.activeOf(published)
                    .orElseThrow(() -> new IllegalStateException("no active " + material.label()));
            KeySet<K> loaded = new KeySet<>(active.kid, material.open(active.kid, active.privateKeySealed), published,
                    clock.instant());
            KeySet<K> previous = current;
            current = loaded;
            if (previous != null && !previous.activeKid().equals(loaded.activeKid())) {
                LOG.infof("signing with %s %s now (was %s)", material.label(), loaded.activeKid(), previous.activeKid());
            }
            return loaded;
        });
    }

    /** Creates the first key if there is none. Safe when several replicas start at once. */
    public Uni<Void> ensureActiveKey() {
        return store.withTransaction(() -> store.findActive().chain(active -> active != null
                        ? Uni.createFrom().voidItem()
                        : store.insert(newKey(now())).replaceWithVoid()))
                // Another replica created it first: the unique index refused ours, theirs is fine.
                .onFailure(this::isUniqueViolation).recoverWithNull().replaceWithVoid();
    }

    /**
     * Retires the active key and activates a new one; the retired key stays published until
     * what it signed can no longer be valid. Also deletes keys past that point.
     *
     * @return the new key set
     */
    public Uni<KeySet<K>> rotate() {
        OffsetDateTime now = now();
        OffsetDateTime notAfter = schedule.retiredNotAfter(now);
        return store.withTransaction(() -> store.findActive().chain(active -> {
                    Uni<Void> retire = Uni.createFrom().voidItem();
                    if (active != null) {
                        active.retire(now, notAfter);
                        // Flushed before the insert: the partial unique index allows one ACTIVE.
                        retire = store.flush();
                    }
                    K next = newKey(now);
                    return retire.chain(() -> store.insert(next))
                            .invoke(() -> LOG.infof("rotated %s: %s is active, %s retired until %s", material.label(),
                                    next.kid, active == null ? "none" : active.kid, notAfter));
                }).chain(() -> store.deleteExpired(now)))
                .chain(this::reload);
    }

    /** Rotates when the active key has served its period, and drops keys nobody can need. */
    public Uni<Void> rotateWhenDue() {
        return store.withSession(store::findActive).chain(active -> {
            if (!schedule.isRotationDue(active, now())) {
                return store.withTransaction(() -> store.deleteExpired(now())).replaceWithVoid();
            }
            return rotate().replaceWithVoid();
        }).onFailure(this::isUniqueViolation).recoverWithNull().replaceWithVoid();
    }

    private K newKey(OffsetDateTime now) {
        K key = store.newKey();
        key.activate(material.generate(), now);
        return key;
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    /** A concurrent start or rotation won: the database refused a second active key or a kid twice. */
    private boolean isUniqueViolation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (message.contains(store.table() + "_one_active") || message.contains(store.table() + "_pkey")) {
                return true;
            }
        }
        return false;
    }
}
