package dev.zerogate.identity.repository;

import dev.zerogate.identity.ConnectorRefreshToken;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** Connectors' refresh tokens, by digest. */
@ApplicationScoped
public class ConnectorRefreshTokenRepository implements PanacheRepositoryBase<ConnectorRefreshToken, byte[]> {
}
