package dev.zerogate.identity.repository;

import dev.zerogate.identity.ServiceAccountKey;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.UUID;

/** Service-account keys. */
@ApplicationScoped
public class ServiceAccountKeyRepository implements PanacheRepositoryBase<ServiceAccountKey, UUID> {

    public Uni<Long> countUsable(UUID serviceAccountId, OffsetDateTime now) {
        return count("serviceAccountId = ?1 and revokedAt is null and expiresAt > ?2", serviceAccountId, now);
    }

    public Uni<Integer> revokeAll(UUID serviceAccountId, OffsetDateTime now) {
        return update("revokedAt = ?2 where serviceAccountId = ?1 and revokedAt is null", serviceAccountId, now);
    }
}
