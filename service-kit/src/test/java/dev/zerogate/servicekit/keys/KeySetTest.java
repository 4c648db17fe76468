package dev.zerogate.servicekit.keys;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which keys are published and which signs at an instant, and the JWK Set text. */
class KeySetTest {

    static final OffsetDateTime T0 = OffsetDateTime.parse("2025-01-01T00:00:00Z");

    static List<String> kids(List<TestKey> keys) {
        return keys.stream().map(k -> k.kid).toList();
    }

    @Test
    void publishesTheActiveKeyAndRetiredKeysBeforeTheirLimitNewestFirst() {
        TestKey oldest = TestKey.retired("oldest", T0, T0.plusDays(30), T0.plusDays(30).plusMinutes(12));
        TestKey older = TestKey.retired("older", T0.plusDays(30), T0.plusDays(60), T0.plusDays(60).plusMinutes(12));
        TestKey active = TestKey.active("active", T0.plusDays(60));
        List<TestKey> all = List.of(oldest, active, older);

        record Case(OffsetDateTime at, List<String> published) {
        }
        for (Case c : List.of(
                new Case(T0.plusDays(60), List.of("active", "older")),
                new Case(T0.plusDays(60).plusMinutes(11), List.of("active", "older")),
                // The limit itself is past: the database deletes the key at that instant too.
                new Case(T0.plusDays(60).plusMinutes(12), List.of("active")),
                new Case(T0.plusDays(30), List.of("active", "older", "oldest")))) {
            assertEquals(c.published(), kids(KeySet.publishedAt(all, c.at())), "at " + c.at());
        }
    }

    @Test
    void activeKeyIsTheOneWithStatusActive() {
        TestKey retired = TestKey.retired("old", T0, T0.plusDays(1), T0.plusDays(2));
        TestKey active = TestKey.active("new", T0.plusDays(1));
        assertEquals(Optional.of(active), KeySet.activeOf(List.of(retired, active)));
        assertEquals(Optional.empty(), KeySet.activeOf(List.of(retired)));
    }

    @Test
    void jwksJsonListsThePublishedJwksInOrder() {
        KeySet<TestKey> set = new KeySet<>("b", null,
                List.of(TestKey.active("b", T0.plusDays(1)), TestKey.retired("a", T0, T0.plusDays(1), T0.plusDays(2))), Instant.EPOCH);
        assertEquals("{\"keys\":[{\"kid\":\"b\"},{\"kid\":\"a\"}]}", set.jwksJson());
        assertEquals("{\"keys\":[]}", new KeySet<TestKey>("x", null, List.of(), Instant.EPOCH).jwksJson());
    }

    @Test
    void describingAKeySetNamesKidsOnly() {
        KeySet<TestKey> set = new KeySet<>("b", null, List.of(TestKey.active("b", T0)), Instant.EPOCH);
        assertEquals("KeySet[active=b, published=1, loadedAt=1970-01-01T00:00:00Z]", set.toString());
        assertEquals("TestKey[kid=b, status=ACTIVE]", set.published().get(0).toString());
    }
}
