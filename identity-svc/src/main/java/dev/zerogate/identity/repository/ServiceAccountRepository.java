package dev.zerogate.identity.repository;

import dev.zerogate.identity.ServiceAccount;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

/** Service accounts. */
@ApplicationScoped
public class ServiceAccountRepository implements PanacheRepositoryBase<ServiceAccount, UUID> {
}
