package dev.zerogate.identity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A connector's refresh token, known by its digest; single use. */
@Entity
@Table(name = "connector_refresh_tokens")
public class ConnectorRefreshToken {

    @Id
    @Column(name = "token_hash")
    public byte[] tokenHash;

    @Column(name = "connector_id", nullable = false)
    public UUID connectorId;

    @Column(name = "family_id", nullable = false)
    public UUID familyId;

    @Column(name = "issued_at", nullable = false)
    public OffsetDateTime issuedAt;

    @Column(name = "expires_at", nullable = false)
    public OffsetDateTime expiresAt;

    @Column(name = "used_at")
    public OffsetDateTime usedAt;
}
