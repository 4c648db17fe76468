package dev.zerogate.identity.repository;

import dev.zerogate.identity.UpstreamLogin;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** Stored {@link UpstreamLogin}s, by digest. */
@ApplicationScoped
public class UpstreamLoginRepository implements PanacheRepositoryBase<UpstreamLogin, byte[]> {
}
