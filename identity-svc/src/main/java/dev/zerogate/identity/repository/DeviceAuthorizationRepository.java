package dev.zerogate.identity.repository;

import dev.zerogate.identity.DeviceAuthorization;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Device logins in progress, by device-code digest and by user code. */
@ApplicationScoped
public class DeviceAuthorizationRepository implements PanacheRepositoryBase<DeviceAuthorization, byte[]> {

    public Uni<DeviceAuthorization> findByUserCode(String userCode) {
        return find("userCode", userCode).firstResult();
    }
}
