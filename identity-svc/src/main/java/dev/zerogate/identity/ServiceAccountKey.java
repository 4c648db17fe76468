package dev.zerogate.identity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A service account's key: its id is the OAuth client_id, its secret known only by digest. */
@Entity
@Table(name = "service_account_keys")
public class ServiceAccountKey {

    @Id
    public UUID id;

    @Column(name = "service_account_id", nullable = false)
    public UUID serviceAccountId;

    @Column(nullable = false)
    public String description = "";

    @Column(name = "secret_hash", nullable = false)
    public byte[] secretHash;

    /** The first 8 characters of the secret, to recognise a leaked one. */
    @Column(name = "secret_prefix", nullable = false)
    public String secretPrefix;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    /** Keys never live forever. */
    @Column(name = "expires_at", nullable = false)
    public OffsetDateTime expiresAt;

    @Column(name = "last_used_at")
    public OffsetDateTime lastUsedAt;

    @Column(name = "revoked_at")
    public OffsetDateTime revokedAt;

    public boolean usableAt(OffsetDateTime now) {
        return revokedAt == null && expiresAt.isAfter(now);
    }
}
