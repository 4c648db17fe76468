package dev.zerogate.identity.repository;

import dev.zerogate.identity.Session;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

/** Login sessions. */
@ApplicationScoped
public class SessionRepository implements PanacheRepositoryBase<Session, UUID> {
}
