package dev.zerogate.policy.repository;

import dev.zerogate.policy.GrantSigningKey;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.List;

/** Grant signing keys: the active one, the published ones, and clean-up of expired ones. */
@ApplicationScoped
public class GrantSigningKeyRepository implements PanacheRepositoryBase<GrantSigningKey, String> {

    public Uni<GrantSigningKey> findActive() {
        return find("status", GrantSigningKey.Status.ACTIVE).firstResult();
    }

    /** The active key and every retired key that may still verify a grant at {@code now}, newest first. */
    public Uni<List<GrantSigningKey>> findPublished(OffsetDateTime now) {
        return list("status = ?1 or notAfter > ?2 order by createdAt desc", GrantSigningKey.Status.ACTIVE, now);
    }

    public Uni<Long> deleteExpired(OffsetDateTime now) {
        return delete("status = ?1 and notAfter <= ?2", GrantSigningKey.Status.RETIRED, now);
    }
}
