package dev.zerogate.identity.repository;

import dev.zerogate.identity.AuthorizationCode;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** Stored {@link AuthorizationCode}s, by digest. */
@ApplicationScoped
public class AuthorizationCodeRepository implements PanacheRepositoryBase<AuthorizationCode, byte[]> {
}
