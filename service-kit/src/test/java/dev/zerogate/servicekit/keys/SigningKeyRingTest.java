package dev.zerogate.servicekit.keys;

import dev.zerogate.servicekit.secret.SecretSealer;
import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rotation logic over a table kept in memory, which refuses a second ACTIVE row as the
 * services' one-active index does. The services test the same against PostgreSQL.
 */
class SigningKeyRingTest {

    static final RotationSchedule SCHEDULE = new RotationSchedule(Duration.ofDays(30), Duration.ofMinutes(10), Duration.ofSeconds(30));

    @TempDir
    Path dir;

    final SteppedClock clock = new SteppedClock(Instant.parse("2025-01-01T00:00:00Z"));
    final MemoryStore store = new MemoryStore();
    SigningKeyRing<TestKey> ring;

    @BeforeEach
    void ring() {
        SigningKeyMaterial material = new SigningKeyMaterial(SecretSealer.loadOrCreate(dir.resolve("master.key")), "k:", "test key");
        ring = new SigningKeyRing<>(store, material, SCHEDULE, clock);
    }

    static <T> T await(Uni<T> uni) {
        return uni.await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void firstStartCreatesOneActiveKeyAndAgainNothing() {
        await(ring.ensureActiveKey());
        await(ring.ensureActiveKey());
        assertEquals(1, store.rows.size());
        KeySet<TestKey> set = await(ring.reload());
        assertEquals(store.rows.get(0).kid, set.activeKid());
        assertEquals("EC", set.activeKey().getAlgorithm());
    }

    @Test
    void anotherReplicaWinningTheFirstKeyIsFine() {
        store.refuseNextInsert = true;
        await(ring.ensureActiveKey());
        assertEquals(0, store.rows.size());
    }

    @Test
    void noActiveKeyIsAnError() {
        assertThrows(IllegalStateException.class, () -> await(ring.reload()));
        assertThrows(IllegalStateException.class, ring::cachedKeySet);
    }

    @Test
    void keySetIsCachedForTheReloadInterval() {
        await(ring.ensureActiveKey());
        KeySet<TestKey> first = await(ring.keySet());
        clock.shift(Duration.ofSeconds(29));
        assertSame(first, await(ring.keySet()));
        assertSame(first, ring.cachedKeySet());
        clock.shift(Duration.ofSeconds(1));
        assertNotEquals(first.loadedAt(), await(ring.keySet()).loadedAt());
    }

    @Test
    void rotationRetiresTheOldKeyUntilWhatItSignedHasExpiredThenDropsIt() {
        await(ring.ensureActiveKey());
        String old = await(ring.reload()).activeKid();

        clock.shift(Duration.ofHours(1));
        KeySet<TestKey> rotated = await(ring.rotate());
        assertNotEquals(old, rotated.activeKid());
        assertEquals(List.of(rotated.activeKid(), old), rotated.published().stream().map(k -> k.kid).toList());
        TestKey retired = rotated.published().get(1);
        assertEquals(StoredSigningKey.Status.RETIRED, retired.status);
        assertEquals(SCHEDULE.retiredNotAfter(retired.retiredAt), retired.notAfter);

        clock.shift(Duration.ofMinutes(11).plusSeconds(30));
        await(ring.rotateWhenDue());
        assertEquals(List.of(rotated.activeKid()), await(ring.reload()).published().stream().map(k -> k.kid).toList());
        assertEquals(1, store.rows.size(), "expired key not deleted");
    }

    @Test
    void rotatesOnlyOnceTheActiveKeyHasServedItsPeriod() {
        await(ring.ensureActiveKey());
        String kid = await(ring.reload()).activeKid();
        clock.shift(Duration.ofDays(30).minusSeconds(1));
        await(ring.rotateWhenDue());
        assertEquals(kid, await(ring.reload()).activeKid());
        clock.shift(Duration.ofSeconds(1));
        await(ring.rotateWhenDue());
        assertNotEquals(kid, await(ring.reload()).activeKid());
    }

    @Test
    void anotherReplicaRotatingFirstIsFine() {
        await(ring.ensureActiveKey());
        clock.shift(Duration.ofDays(31));
        store.refuseNextInsert = true;
        await(ring.rotateWhenDue());
        assertTrue(store.rows.stream().noneMatch(k -> k.status == StoredSigningKey.Status.ACTIVE && k.createdAt.isAfter(
                OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC).minusSeconds(1))), "second active key");
    }

    /** A clock that moves only when told to. */
    static final class SteppedClock extends Clock {
        private volatile Instant now;

        SteppedClock(Instant start) {
            this.now = start;
        }

        void shift(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    /**
     * A table in memory. Sessions and transactions are trivial; the one-active index is checked on
     * insert and can be made to refuse once, as when another replica committed first.
     */
    static final class MemoryStore implements SigningKeyStore<TestKey> {
        final List<TestKey> rows = new ArrayList<>();
        boolean refuseNextInsert;

        @Override
        public String table() {
            return "test_keys";
        }

        @Override
        public TestKey newKey() {
            return new TestKey();
        }

        @Override
        public <T> Uni<T> withSession(Supplier<Uni<T>> work) {
            return Uni.createFrom().deferred(work::get);
        }

        @Override
        public <T> Uni<T> withTransaction(Supplier<Uni<T>> work) {
            return Uni.createFrom().deferred(work::get);
        }

        @Override
        public Uni<Void> flush() {
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<TestKey> findActive() {
            return Uni.createFrom().item(() -> KeySet.activeOf(rows).orElse(null));
        }

        @Override
        public Uni<List<TestKey>> findPublished(OffsetDateTime now) {
            return Uni.createFrom().item(() -> KeySet.publishedAt(rows, now));
        }

        @Override
        public Uni<TestKey> insert(TestKey key) {
            return Uni.createFrom().item(() -> {
                if (refuseNextInsert || KeySet.activeOf(rows).isPresent()) {
                    refuseNextInsert = false;
                    throw new IllegalStateException("duplicate key value violates unique constraint \"test_keys_one_active\"");
                }
                rows.add(key);
                return key;
            });
        }

        @Override
        public Uni<Long> deleteExpired(OffsetDateTime now) {
            return Uni.createFrom().item(() -> {
                int before = rows.size();
                rows.removeIf(k -> k.status == StoredSigningKey.Status.RETIRED && !k.notAfter.isAfter(now));
                return (long) (before - rows.size());
            });
        }
    }
}
