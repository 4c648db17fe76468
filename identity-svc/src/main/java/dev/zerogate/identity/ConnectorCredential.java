package dev.zerogate.identity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A connector's credentials: the bootstrap pair an admin pasted into its {@code docker run}
 * line (known by digests), then the refresh-token family the connector rotates itself.
 */
@Entity
@Table(name = "connector_credentials")
public class ConnectorCredential {

    public enum State { PENDING_BOOTSTRAP, ACTIVE, REVOKED }

    @Id
    @Column(name = "connector_id")
    public UUID connectorId;

    @Column(name = "remote_network_id", nullable = false)
    public UUID remoteNetworkId;

    /** The current credential family; a new CreateConnector after a revocation starts another. */
    @Column(name = "family_id", nullable = false)
    public UUID familyId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public State state;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "bootstrap_access_hash", nullable = false)
    public byte[] bootstrapAccessHash;

    @Column(name = "bootstrap_refresh_hash", nullable = false)
    public byte[] bootstrapRefreshHash;

    @Column(name = "bootstrap_expires_at", nullable = false)
    public OffsetDateTime bootstrapExpiresAt;

    @Column(name = "bootstrapped_at")
    public OffsetDateTime bootstrappedAt;

    @Column(name = "last_refreshed_at")
    public OffsetDateTime lastRefreshedAt;

    @Column(name = "certificate_serial")
    public String certificateSerial;

    @Column(name = "certificate_not_after")
    public OffsetDateTime certificateNotAfter;

    @Column(name = "revoked_at")
    public OffsetDateTime revokedAt;

    @Column(name = "revocation_reason")
    public String revocationReason;
}
