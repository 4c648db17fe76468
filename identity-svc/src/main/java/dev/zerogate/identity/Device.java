package dev.zerogate.identity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/** An enrolled device: a key pair held by one user's client, certified by zerogate's CA. */
@Entity
@Table(name = "devices")
public class Device {

    @Id
    public UUID id;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    /** Display name, usually the hostname; 1 to 64 characters. */
    @Column(nullable = false)
    public String name;

    /** RFC 7638 thumbprint of the device's public key: the {@code cnf.jkt} of its tokens. */
    @Column(name = "key_thumbprint", nullable = false)
    public String keyThumbprint;

    @Column(name = "certificate_serial", nullable = false)
    public String certificateSerial;

    @Column(name = "certificate_not_after", nullable = false)
    public OffsetDateTime certificateNotAfter;

    /** The last reported posture as JSON (OS, versions, disk encryption, screen lock). */
    @Column(name = "posture_json")
    public String postureJson;

    @Column(name = "posture_reported_at")
    public OffsetDateTime postureReportedAt;

    @Column(name = "enrolled_at", nullable = false)
    public OffsetDateTime enrolledAt;

    @Column(name = "revoked_at")
    public OffsetDateTime revokedAt;

    @Column(name = "revocation_reason")
    public String revocationReason;

    /** Vouched for by an admin; access rules may require it. */
    @Column(nullable = false)
    public boolean trusted;
}
