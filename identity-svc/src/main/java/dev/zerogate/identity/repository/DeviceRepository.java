package dev.zerogate.identity.repository;

import dev.zerogate.identity.Device;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

/** Enrolled devices. */
@ApplicationScoped
public class DeviceRepository implements PanacheRepositoryBase<Device, UUID> {

    public Uni<Device> findByKey(String keyThumbprint) {
        return find("keyThumbprint", keyThumbprint).firstResult();
    }
}
