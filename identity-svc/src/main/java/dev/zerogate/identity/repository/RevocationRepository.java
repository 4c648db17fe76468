package dev.zerogate.identity.repository;

import dev.zerogate.identity.Revocation;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** The ordered revocation log. */
@ApplicationScoped
public class RevocationRepository implements PanacheRepositoryBase<Revocation, Long> {

    /** Any fixed number works, as long as nothing else in this database locks it. */
    private static final long APPEND_LOCK = 0x7a67_7265_766fL;

    /**
     * Appends inside the caller's transaction. The advisory lock (released at commit) makes
     * writers take sequences one after another's commit, so sequence order is commit order.
     */
    public Uni<Revocation> append(Revocation revocation) {
        return getSession().chain(session -> session.createNativeQuery("SELECT pg_advisory_xact_lock(" + APPEND_LOCK + ")")
                        .getSingleResult())
                .chain(() -> persist(revocation))
                .call(this::flush);
    }

    /** Revocations after {@code sequence}, oldest first, at most {@code limit}. */
    public Uni<List<Revocation>> after(long sequence, int limit) {
        return find("sequence > ?1", Sort.by("sequence"), sequence).page(0, limit).list();
    }
}
