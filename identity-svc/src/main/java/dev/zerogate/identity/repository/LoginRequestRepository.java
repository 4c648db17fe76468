package dev.zerogate.identity.repository;

import dev.zerogate.identity.LoginRequest;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** Stored {@link LoginRequest}s, by digest. */
@ApplicationScoped
public class LoginRequestRepository implements PanacheRepositoryBase<LoginRequest, byte[]> {
}
