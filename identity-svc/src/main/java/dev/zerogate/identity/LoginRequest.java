package dev.zerogate.identity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/**
 * A login in progress in a browser, known by the digest of the id carried in the login
 * page's form. Either a browser client's authorization request or a device-login approval.
 */
@Entity
@Table(name = "login_requests")
public class LoginRequest {

    public enum Purpose { AUTHORIZE, DEVICE }

    @Id
    @Column(name = "id_hash")
    public byte[] idHash;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public Purpose purpose;

    @Column(name = "client_id")
    public String clientId;

    @Column(name = "redirect_uri")
    public String redirectUri;

    public String scope;

    /** The client's {@code state}, returned unchanged with the code. */
    public String state;

    /** The client's {@code nonce}, put in the ID token. */
    public String nonce;

    /** PKCE S256 challenge (RFC 7636). */
    @Column(name = "code_challenge")
    public String codeChallenge;

    /** For {@link Purpose#DEVICE}: the device login to approve. */
    @Column(name = "user_code")
    public String userCode;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "expires_at", nullable = false)
    public OffsetDateTime expiresAt;

    @Column(name = "completed_at")
    public OffsetDateTime completedAt;

    /** Set when an upstream login succeeded for a device login that awaits confirmation. */
    @Column(name = "user_id")
    public java.util.UUID userId;

    public String amr;

    @Column(name = "auth_time")
    public OffsetDateTime authTime;

    /** Digest of the one-time token of the confirmation form. */
    @Column(name = "confirm_hash")
    public byte[] confirmHash;
}
