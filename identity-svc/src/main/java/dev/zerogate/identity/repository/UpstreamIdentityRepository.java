package dev.zerogate.identity.repository;

import dev.zerogate.identity.UpstreamIdentity;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** Links from upstream accounts to users. */
@ApplicationScoped
public class UpstreamIdentityRepository implements PanacheRepositoryBase<UpstreamIdentity, UpstreamIdentity.Key> {
}
