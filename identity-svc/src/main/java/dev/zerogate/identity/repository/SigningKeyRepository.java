package dev.zerogate.identity.repository;

import dev.zerogate.identity.SigningKey;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.List;

/** Signing keys: the active one, the published ones, and clean-up of expired ones. */
@ApplicationScoped
public class SigningKeyRepository implements PanacheRepositoryBase<SigningKey, String> {

    public Uni<SigningKey> findActive() {
        return find("status", SigningKey.Status.ACTIVE).firstResult();
    }

    /** The active key and every retired key that may still verify a token at {@code now}, newest first. */
    public Uni<List<SigningKey>> findPublished(OffsetDateTime now) {
        return list("status = ?1 or notAfter > ?2 order by createdAt desc", SigningKey.Status.ACTIVE, now);
    }

    public Uni<Long> deleteExpired(OffsetDateTime now) {
        return delete("status = ?1 and notAfter <= ?2", SigningKey.Status.RETIRED, now);
    }
}
