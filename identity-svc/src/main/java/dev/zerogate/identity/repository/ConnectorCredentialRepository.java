package dev.zerogate.identity.repository;

import dev.zerogate.identity.ConnectorCredential;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

/** Connectors' credentials, by connector id. */
@ApplicationScoped
public class ConnectorCredentialRepository implements PanacheRepositoryBase<ConnectorCredential, UUID> {
}
