package dev.zerogate.identity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.OffsetDateTime;
import java.util.UUID;

/** Links an upstream account ({@code iss} + {@code sub}) to a zerogate user. */
@Entity
@Table(name = "upstream_identities")
@IdClass(UpstreamIdentity.Key.class)
public class UpstreamIdentity {

    /** The composite key: issuer and subject. */
    public record Key(String issuer, String subject) implements Serializable {
        public Key() {
            this(null, null);
        }
    }

    @Id
    public String issuer;

    @Id
    public String subject;

    /** The configured provider name it came through. */
    @Column(nullable = false)
    public String provider;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "last_login_at", nullable = false)
    public OffsetDateTime lastLoginAt;
}
