package dev.zerogate.policy.repository;

import dev.zerogate.policy.RemoteNetwork;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

/** Remote networks, by id and by name. */
@ApplicationScoped
public class RemoteNetworkRepository implements PanacheRepositoryBase<RemoteNetwork, UUID> {

    public Uni<RemoteNetwork> findByName(String name) {
        return find("name", name).firstResult();
    }
}
