package dev.zerogate.identity.service;

import dev.zerogate.identity.Device;
import dev.zerogate.identity.IdentityException;
import dev.zerogate.identity.IdentityException.Kind;
import dev.zerogate.identity.Revocation.SubjectKind;
import dev.zerogate.identity.Session;
import dev.zerogate.identity.repository.DeviceRepository;
import dev.zerogate.identity.repository.SessionRepository;
import dev.zerogate.identity.service.PageRequest.Page;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

/**
 * What admins do with devices: list, revoke (its certificate and the sessions bound to its
 * key end, and its key can never be enrolled again), and vouch for one (admin trust).
 */
@ApplicationScoped
public class DeviceAdministration {

    private final DeviceRepository devices;
    private final SessionRepository sessions;
    private final SessionService sessionService;
    private final RevocationLog revocations;
    private final IdentityAuditLog audit;
    private final Clock clock;

    DeviceAdministration(DeviceRepository devices, SessionRepository sessions, SessionService sessionService,
                         RevocationLog revocations, IdentityAuditLog audit, Clock clock) {
        this.devices = devices;
        this.sessions = sessions;
        this.sessionService = sessionService;
        this.revocations = revocations;
        this.audit = audit;
        this.clock = clock;
    }

    /** Devices, newest enrolment first, optionally of one user and in one state. */
    public Uni<Page<Device>> list(PageRequest page, Optional<UUID> userId, Optional<Boolean> revoked) {
        StringBuilder where = new StringBuilder("1 = 1");
        Parameters params = new Parameters();
        userId.ifPresent(id -> {
            where.append(" and userId = :user");
            params.and("user", id);
        });
        revoked.ifPresent(r -> where.append(r ? " and revokedAt is not null" : " and revokedAt is null"));
        page.after().ifPresent(key -> {
            where.append(" and (enrolledAt < :afterTime or (enrolledAt = :afterTime and id < :afterId))");
            params.and("afterTime", OffsetDateTime.parse(page.afterPart(0))).and("afterId", UUID.fromString(page.afterPart(1)));
        });
        return Panache.withSession(() -> devices.find(where + " order by enrolledAt desc, id desc", params)
                .page(0, page.size() + 1).list())
                .map(found -> page.page(found, d -> new String[] {d.enrolledAt.toString(), d.id.toString()}));
    }

    /** One device, or NOT_FOUND. */
    public Uni<Device> get(UUID deviceId) {
        return Panache.withSession(() -> devices.findById(deviceId)).map(device -> {
            if (device == null) {
                throw new IdentityException(Kind.NOT_FOUND, "no device with id " + deviceId);
            }
            return device;
        });
    }

    /** Revokes a device. Idempotent. */
    public Uni<Device> revoke(UUID deviceId, String reason, String admin, String source) {
        return Panache.withTransaction(() -> found(deviceId).chain(device -> {
            if (device.revokedAt != null) {
                return Uni.createFrom().item(device);
            }
            device.revokedAt = now();
            device.revocationReason = reason;
            return sessions.list("deviceKeyThumbprint = ?1 and revokedAt is null", device.keyThumbprint)
                    .chain(bound -> {
                        Uni<Void> chain = Uni.createFrom().voidItem();
                        for (Session session : bound) {
                            chain = chain.chain(() -> sessionService.end(session, "DEVICE_REVOKED", source));
                        }
                        return chain;
                    })
                    .chain(() -> revocations.append(SubjectKind.DEVICE, deviceId, "DEVICE_REVOKED", reason))
                    .chain(() -> audit.record("device.revoked", true, admin, deviceId.toString(), source, reason))
                    .replaceWith(device);
        })).call(revocations::catchUp);
    }

    /** Marks a device as admin-trusted, or clears the mark. */
    public Uni<Device> setTrust(UUID deviceId, boolean trusted, String reason, String admin, String source) {
        return Panache.withTransaction(() -> found(deviceId).chain(device -> {
            if (device.revokedAt != null) {
                return Uni.createFrom().failure(new IdentityException(Kind.FAILED_PRECONDITION, "the device is revoked"));
            }
            device.trusted = trusted;
            return audit.record(trusted ? "device.trusted" : "device.untrusted", true, admin, deviceId.toString(), source, reason)
                    .replaceWith(device);
        }));
    }

    /** The key thumbprint of a device, to find the sessions bound to it. */
    public Uni<Optional<String>> keyOf(UUID deviceId) {
        return Panache.withSession(() -> devices.findById(deviceId)).map(d -> Optional.ofNullable(d == null ? null : d.keyThumbprint));
    }

    private Uni<Device> found(UUID deviceId) {
        return devices.findById(deviceId).onItem().ifNull()
                .failWith(() -> new IdentityException(Kind.NOT_FOUND, "no device " + deviceId));
    }

    private OffsetDateTime now() {
        return Times.utcNow(clock);
    }
}
