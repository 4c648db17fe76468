package dev.zerogate.policy.repository;

import dev.zerogate.policy.GrantSigningKey;
import dev.zerogate.servicekit.keys.SigningKeyStore;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.function.Supplier;

/** Grant signing keys: the active one, the published ones, and clean-up of expired ones. */
@ApplicationScoped
public class GrantSigningKeyRepository implements PanacheRepositoryBase<GrantSigningKey, String>, SigningKeyStore<GrantSigningKey> {

    @Override
    public String table() {
        return "grant_signing_keys";
    }

    @Override
    public GrantSigningKey newKey() {
        return new GrantSigningKey();
    }

    @Override
    public <T> Uni<T> withSession(Supplier<Uni<T>> work) {
        return Panache.withSession(work);
    }

    @Override
    public <T> Uni<T> withTransaction(Supplier<Uni<T>> work) {
        return Panache.withTransaction(work);
    }

    @Override
    public Uni<Void> flush() {
        return Panache.getSession().chain(session -> session.flush());
    }

    @Override
    public Uni<GrantSigningKey> findActive() {
        return find("status", GrantSigningKey.Status.ACTIVE).firstResult();
    }

    /** The active key and every retired key that may still verify a grant at {@code now}, newest first. */
    @Override
    public Uni<List<GrantSigningKey>> findPublished(OffsetDateTime now) {
        return list("status = ?1 or notAfter > ?2 order by createdAt desc", GrantSigningKey.Status.ACTIVE, now);
    }

    @Override
    public Uni<GrantSigningKey> insert(GrantSigningKey key) {
        return persist(key);
    }

    @Override
    public Uni<Long> deleteExpired(OffsetDateTime now) {
        return delete("status = ?1 and notAfter <= ?2", GrantSigningKey.Status.RETIRED, now);
    }
}
