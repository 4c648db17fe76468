package dev.zerogate.identity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** One login of one user through one client; its refresh-token family ends with it. */
@Entity
@Table(name = "sessions")
public class Session {

    @Id
    public UUID id;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    @Column(name = "client_id", nullable = false)
    public String clientId;

    /** Authentication methods, space-separated ({@code pwd}, {@code otp}, {@code upstream}). */
    @Column(nullable = false)
    public String amr;

    @Column(name = "auth_time", nullable = false)
    public OffsetDateTime authTime;

    /** Device key the session's access tokens are bound to ({@code cnf.jkt}), if any. */
    @Column(name = "device_key_thumbprint")
    public String deviceKeyThumbprint;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "last_refreshed_at")
    public OffsetDateTime lastRefreshedAt;

    @Column(name = "revoked_at")
    public OffsetDateTime revokedAt;

    @Column(name = "revoke_reason")
    public String revokeReason;

    public List<String> authenticationMethods() {
        return Arrays.stream(amr.split(" ")).filter(s -> !s.isEmpty()).toList();
    }

    public boolean isRevoked() {
        return revokedAt != null;
    }
}
