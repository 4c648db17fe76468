package dev.zerogate.servicekit.keys;

import io.smallrye.mutiny.Uni;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.function.Supplier;

/**
 * A service's table of signing keys, as {@link SigningKeyRing} needs it. The service implements
 * it (usually its Panache repository) because sessions and transactions belong to the service's
 * persistence unit, which service-kit does not know.
 *
 * <p>The table must refuse a second ACTIVE row with a unique index named
 * {@code <table>_one_active}; that index is what makes concurrent starts and rotations safe.
 */
public interface SigningKeyStore<K extends StoredSigningKey> {

    /** The table's name; its primary key and one-active index are named after it. */
    String table();

    /** A new, empty row. */
    K newKey();

    /** Runs {@code work} in a session of its own. */
    <T> Uni<T> withSession(Supplier<Uni<T>> work);

    /** Runs {@code work} in a transaction of its own. */
    <T> Uni<T> withTransaction(Supplier<Uni<T>> work);

    /** Writes the current transaction's pending changes now, before what follows. */
    Uni<Void> flush();

    /** The ACTIVE key, or null. */
    Uni<K> findActive();

    /** The active key and every retired key that may still verify at {@code now}, newest first. */
    Uni<List<K>> findPublished(OffsetDateTime now);

    /** Inserts {@code key}. */
    Uni<K> insert(K key);

    /** Deletes the retired keys whose publication ended at or before {@code now}. */
    Uni<Long> deleteExpired(OffsetDateTime now);
}
