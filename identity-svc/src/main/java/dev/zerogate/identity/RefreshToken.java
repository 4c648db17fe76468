package dev.zerogate.identity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A refresh token, known only by its SHA-256 digest. Single use. */
@Entity
@Table(name = "refresh_tokens")
public class RefreshToken {

    @Id
    @Column(name = "token_hash")
    public byte[] tokenHash;

    @Column(name = "session_id", nullable = false)
    public UUID sessionId;

    @Column(name = "issued_at", nullable = false)
    public OffsetDateTime issuedAt;

    @Column(name = "expires_at", nullable = false)
    public OffsetDateTime expiresAt;

    /**
     * When a refresh spent it. Presenting it after that is treated as theft, unless it comes
     * within the grace window while its successor is unused (a retry after a lost response).
     */
    @Column(name = "used_at")
    public OffsetDateTime usedAt;

    /** SHA-256 of the token the refresh that spent this one issued; null while unspent. */
    @Column(name = "successor_hash")
    public byte[] successorHash;

    /**
     * That successor, sealed with a key derived from this token ({@code RefreshSuccessors}):
     * only whoever presents this token can open it. Null while unspent, and cleared once a
     * later token of the family is spent.
     */
    @Column(name = "successor_sealed")
    public byte[] successorSealed;
}
