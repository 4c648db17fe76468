package dev.zerogate.identity.repository;

import dev.zerogate.identity.RefreshToken;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;

/** Refresh tokens by digest. */
@ApplicationScoped
public class RefreshTokenRepository implements PanacheRepositoryBase<RefreshToken, byte[]> {

    /**
     * Spends a token: true for exactly one caller, however many present it at once (the
     * update is conditional on it being unspent).
     */
    public Uni<Boolean> spend(byte[] tokenHash, OffsetDateTime now) {
        return update("usedAt = ?1 where tokenHash = ?2 and usedAt is null", now, tokenHash).map(count -> count == 1);
    }
}
