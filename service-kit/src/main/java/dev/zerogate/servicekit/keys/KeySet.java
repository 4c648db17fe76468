package dev.zerogate.servicekit.keys;

import java.security.PrivateKey;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a replica signs and publishes with, loaded together so that they agree.
 *
 * @param activeKid the kid of the key that signs
 * @param activeKey its private key, opened
 * @param published every key that may still verify something, newest first (the active one too)
 * @param loadedAt  when it was read from the database
 */
public record KeySet<K extends StoredSigningKey>(String activeKid, PrivateKey activeKey, List<K> published, Instant loadedAt) {

    public KeySet {
        published = List.copyOf(published);
    }

    /** The JWK Set (RFC 7517) of the published keys, as JSON text. */
    public String jwksJson() {
        return published.stream().map(k -> k.publicJwk).collect(Collectors.joining(",", "{\"keys\":[", "]}"));
    }

    /** The keys of {@code keys} that verify at {@code now}, newest first. */
    public static <K extends StoredSigningKey> List<K> publishedAt(List<K> keys, OffsetDateTime now) {
        return keys.stream().filter(k -> k.isPublishedAt(now))
                .sorted(Comparator.comparing((K k) -> k.createdAt.toInstant()).reversed())
                .toList();
    }

    /** The key of {@code keys} that signs, if there is one (the database allows one at most). */
    public static <K extends StoredSigningKey> Optional<K> activeOf(List<K> keys) {
        return keys.stream().filter(k -> k.status == StoredSigningKey.Status.ACTIVE).findFirst();
    }

    /** Names the keys only: a key set may end up in a log line. */
    @Override
    public String toString() {
        return "KeySet[active=" + activeKid + ", published=" + published.size() + ", loadedAt=" + loadedAt + "]";
    }
}
