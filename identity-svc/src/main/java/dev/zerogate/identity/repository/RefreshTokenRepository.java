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
     * Spends a token and records its successor in the same statement: true for exactly one
     * caller, however many present it at once (the update is conditional on it being unspent).
     * A caller that loses waits for the winner's transaction to end, so a re-read then sees the
     * winner's successor.
     */
    public Uni<Boolean> spend(byte[] tokenHash, OffsetDateTime now, byte[] successorHash, byte[] successorSealed) {
        return update("usedAt = ?1, successorHash = ?2, successorSealed = ?3 where tokenHash = ?4 and usedAt is null",
                now, successorHash, successorSealed, tokenHash).map(count -> count == 1);
    }

    /**
     * Drops the sealed copy of {@code spentHash} kept by its predecessor, once {@code spentHash}
     * is spent: the predecessor can never be replayed again, and a database leak together with
     * an old token of the family must not open the way to the live one. So a family keeps at
     * most one sealed successor: its newest spent token's.
     */
    public Uni<Integer> forgetSealedCopyOf(byte[] spentHash) {
        return update("successorSealed = null where successorHash = ?1 and successorSealed is not null", spentHash);
    }

    /**
     * {@code token} as the database holds it now (null if gone): after a lost {@link #spend} the
     * session's cached copy still shows it unspent, so that copy is dropped and the row read
     * again. (Not {@code Session.refresh}: Hibernate Reactive 3.2 logs a misleading deprecation
     * warning, HHH90000034, on every refresh, managed entity or not.)
     */
    public Uni<RefreshToken> reload(RefreshToken token) {
        return getSession().invoke(session -> session.detach(token)).chain(() -> findById(token.tokenHash));
    }
}
