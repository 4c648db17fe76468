package dev.zerogate.identity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A non-human principal (CI job, script) that signs in with a key (client credentials). */
@Entity
@Table(name = "service_accounts")
public class ServiceAccount {

    @Id
    public UUID id;

    /** Unique: lowercase letters, digits and '-', 1 to 63 characters, starting with a letter. */
    @Column(nullable = false)
    public String name;

    @Column(nullable = false)
    public String description = "";

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "revoked_at")
    public OffsetDateTime revokedAt;

    @Column(name = "revocation_reason")
    public String revocationReason;
}
