package dev.zerogate.identity.service;

import dev.zerogate.identity.Device;
import dev.zerogate.identity.IdentityException;
import dev.zerogate.identity.IdentityException.Kind;
import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.identity.repository.DeviceRepository;
import dev.zerogate.identity.repository.SessionRepository;
import dev.zerogate.servicekit.token.VerifiedAccessToken;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.lang.JoseException;

import java.security.PublicKey;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Device enrolment: a logged-in client sends a CSR for the key its login is bound to and
 * receives a short-lived device certificate. The CSR's self-signature proves possession of
 * the key; the token's {@code cnf.jkt} ties the login to the same key, so a stolen access
 * token cannot enrol the thief's key. Enrolling the same key again renews its certificate.
 */
@ApplicationScoped
public class DeviceEnrollment {

    /** A device and the certificate just issued for it. */
    public record Enrolled(Device device, CertificateAuthority.Issued certificate) {
    }

    private final CertificateAuthority ca;
    private final DeviceRepository devices;
    private final SessionRepository sessions;
    private final IdentityAuditLog audit;
    private final IdentityConfig config;
    private final Clock clock;

    DeviceEnrollment(CertificateAuthority ca, DeviceRepository devices, SessionRepository sessions, IdentityAuditLog audit,
                     IdentityConfig config, Clock clock) {
        this.ca = ca;
        this.devices = devices;
        this.sessions = sessions;
        this.audit = audit;
        this.config = config;
        this.clock = clock;
    }

    /** The CA certificate that every device and connector certificate chains to. */
    public java.security.cert.X509Certificate trustAnchor() {
        return ca.rootCertificate();
    }

    public Uni<Enrolled> enroll(VerifiedAccessToken caller, byte[] csr, String name, String postureJson) {
        if (name == null || name.isBlank() || name.codePointCount(0, name.length()) > 64) {
            return Uni.createFrom().failure(new IdentityException(Kind.INVALID_ARGUMENT, "device_name must be 1 to 64 characters"));
        }
        PublicKey key;
        String thumbprint;
        try {
            key = ca.verifiedCsrKey(csr);
            thumbprint = PublicJsonWebKey.Factory.newPublicJwk(key).calculateBase64urlEncodedThumbprint("SHA-256");
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new IdentityException(Kind.INVALID_ARGUMENT, e.getMessage()));
        } catch (JoseException e) {
            return Uni.createFrom().failure(new IdentityException(Kind.INVALID_ARGUMENT, "csr key cannot be read"));
        }
        if (caller.deviceKeyThumbprint().isEmpty()) {
            return Uni.createFrom().failure(new IdentityException(Kind.FAILED_PRECONDITION,
                    "this login is not bound to a device key; log in again with zerogate login"));
        }
        if (!caller.deviceKeyThumbprint().get().equals(thumbprint)) {
            return Uni.createFrom().failure(new IdentityException(Kind.PERMISSION_DENIED,
                    "the csr is not for the key this login is bound to"));
        }
        UUID userId = UUID.fromString(caller.subject());
        OffsetDateTime now = Times.utcNow(clock);
        return Panache.withTransaction(() -> sessions.findById(UUID.fromString(caller.sessionId())).chain(session -> {
            if (session == null || session.isRevoked()) {
                return Uni.createFrom().failure(new IdentityException(Kind.UNAUTHENTICATED, "the session has ended"));
            }
            return devices.findByKey(thumbprint);
        }).chain(existing -> {
            if (existing != null && (!existing.userId.equals(userId) || existing.revokedAt != null)) {
                return Uni.createFrom().failure(new IdentityException(Kind.PERMISSION_DENIED,
                        existing.revokedAt != null ? "this device has been revoked" : "this key is enrolled by someone else"));
            }
            Device device = existing != null ? existing : newDevice(userId, thumbprint, now);
            device.name = name;
            device.postureJson = postureJson;
            device.postureReportedAt = now;
            CertificateAuthority.Issued issued = ca.issueDeviceCertificate(key, device.id.toString(),
                    config.devices().certificateLifetime());
            device.certificateSerial = issued.serialHex();
            device.certificateNotAfter = OffsetDateTime.ofInstant(issued.certificate().getNotAfter().toInstant(), ZoneOffset.UTC);
            Uni<Device> saved = existing != null ? Uni.createFrom().item(device) : devices.persist(device);
            return saved.call(d -> audit.record(existing != null ? "device.renewed" : "device.enrolled", true,
                            caller.subject(), d.id.toString(), null, "certificate " + issued.serialHex()))
                    .map(d -> new Enrolled(d, issued));
        }));
    }

    /**
     * A fresh certificate for an enrolled device, same key: the CSR proves the caller still
     * holds it, and it must be the key the caller's login is bound to and {@code deviceId}'s.
     */
    public Uni<Enrolled> renew(VerifiedAccessToken caller, String deviceId, byte[] csr) {
        UUID id;
        try {
            id = UUID.fromString(deviceId);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new IdentityException(Kind.INVALID_ARGUMENT, "device_id must be a UUID"));
        }
        return Panache.withSession(() -> devices.findById(id)).chain(device -> {
            if (device == null || !device.userId.toString().equals(caller.subject())) {
                return Uni.createFrom().failure(new IdentityException(Kind.NOT_FOUND, "no such device"));
            }
            // Checked before anything is issued: enroll() then requires the CSR to be for that key.
            if (caller.deviceKeyThumbprint().isEmpty() || !caller.deviceKeyThumbprint().get().equals(device.keyThumbprint)) {
                return Uni.createFrom().failure(new IdentityException(Kind.PERMISSION_DENIED, "this login is not bound to that device"));
            }
            return enroll(caller, csr, device.name, device.postureJson);
        });
    }

    /**
     * Records a device's self-reported posture. The device must be the one the caller's login
     * is bound to.
     */
    public Uni<Device> reportPosture(VerifiedAccessToken caller, String deviceId, String postureJson) {
        UUID id;
        try {
            id = UUID.fromString(deviceId);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new IdentityException(Kind.INVALID_ARGUMENT, "device_id must be a UUID"));
        }
        OffsetDateTime now = Times.utcNow(clock);
        return Panache.withTransaction(() -> devices.findById(id).map(device -> {
            if (device == null || !device.userId.toString().equals(caller.subject())) {
                throw new IdentityException(Kind.NOT_FOUND, "no such device");
            }
            if (caller.deviceKeyThumbprint().isEmpty() || !caller.deviceKeyThumbprint().get().equals(device.keyThumbprint)) {
                throw new IdentityException(Kind.PERMISSION_DENIED, "this login is not bound to that device");
            }
            if (device.revokedAt != null) {
                throw new IdentityException(Kind.PERMISSION_DENIED, "this device has been revoked");
            }
            device.postureJson = postureJson;
            device.postureReportedAt = now;
            return device;
        }));
    }

    private static Device newDevice(UUID userId, String thumbprint, OffsetDateTime now) {
        Device device = new Device();
        device.id = UUID.randomUUID();
        device.userId = userId;
        device.keyThumbprint = thumbprint;
        device.enrolledAt = now;
        return device;
    }
}
