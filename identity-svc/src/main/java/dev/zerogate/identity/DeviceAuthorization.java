package dev.zerogate.identity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A device login in progress (RFC 8628): the CLI polls with the device code, the person approves with the user code. */
@Entity
@Table(name = "device_authorizations")
public class DeviceAuthorization {

    public enum Status { PENDING, APPROVED, DENIED, CONSUMED }

    @Id
    @Column(name = "device_code_hash")
    public byte[] deviceCodeHash;

    @Column(name = "user_code", nullable = false)
    public String userCode;

    @Column(name = "client_id", nullable = false)
    public String clientId;

    @Column(name = "device_key_thumbprint")
    public String deviceKeyThumbprint;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "expires_at", nullable = false)
    public OffsetDateTime expiresAt;

    /** Minimum seconds between polls; grows by 5 on every {@code slow_down}. */
    @Column(name = "interval_seconds", nullable = false)
    public int intervalSeconds;

    @Column(name = "last_polled_at")
    public OffsetDateTime lastPolledAt;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public Status status;

    @Column(name = "user_id")
    public UUID userId;

    @Column
    public String amr;

    @Column(name = "auth_time")
    public OffsetDateTime authTime;
}
