package dev.zerogate.identity.repository;

import dev.zerogate.identity.SetupLink;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;

/** First-admin setup links. */
@ApplicationScoped
public class SetupLinkRepository implements PanacheRepositoryBase<SetupLink, byte[]> {

    /** Makes every unused link unusable: only the newest printed link works. */
    public Uni<Integer> expireAll(OffsetDateTime now) {
        return update("expiresAt = ?1 where usedAt is null and expiresAt > ?1", now);
    }
}
