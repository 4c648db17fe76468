package dev.zerogate.identity.repository;

import dev.zerogate.identity.SigningKey;
import dev.zerogate.servicekit.keys.SigningKeyStore;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.function.Supplier;

/** Signing keys: the active one, the published ones, and clean-up of expired ones. */
@ApplicationScoped
public class SigningKeyRepository implements PanacheRepositoryBase<SigningKey, String>, SigningKeyStore<SigningKey> {

    @Override
    public String table() {
        return "signing_keys";
    }

    @Override
    public SigningKey newKey() {
        return new SigningKey();
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
    public Uni<SigningKey> findActive() {
        return find("status", SigningKey.Status.ACTIVE).firstResult();
    }

    /** The active key and every retired key that may still verify a token at {@code now}, newest first. */
    @Override
    public Uni<List<SigningKey>> findPublished(OffsetDateTime now) {
        return list("status = ?1 or notAfter > ?2 order by createdAt desc", SigningKey.Status.ACTIVE, now);
    }

    @Override
    public Uni<SigningKey> insert(SigningKey key) {
        return persist(key);
    }

    @Override
    public Uni<Long> deleteExpired(OffsetDateTime now) {
        return delete("status = ?1 and notAfter <= ?2", SigningKey.Status.RETIRED, now);
    }
}
