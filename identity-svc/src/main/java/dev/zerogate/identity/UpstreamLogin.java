package dev.zerogate.identity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** One round trip to an upstream provider, known by the digest of the {@code state} we sent. */
@Entity
@Table(name = "upstream_logins")
public class UpstreamLogin {

    @Id
    @Column(name = "state_hash")
    public byte[] stateHash;

    @Column(name = "login_request_id", nullable = false)
    public byte[] loginRequestId;

    @Column(nullable = false)
    public String provider;

    @Column(nullable = false)
    public String nonce;

    /** Our PKCE verifier for the upstream's token endpoint; useless without the upstream's code. */
    @Column(name = "code_verifier", nullable = false)
    public String codeVerifier;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "expires_at", nullable = false)
    public OffsetDateTime expiresAt;

    @Column(name = "used_at")
    public OffsetDateTime usedAt;
}
