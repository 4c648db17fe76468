package dev.zerogate.identity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** An authorization code (RFC 6749 §4.1), known by its digest; single use. */
@Entity
@Table(name = "authorization_codes")
public class AuthorizationCode {

    @Id
    @Column(name = "code_hash")
    public byte[] codeHash;

    @Column(name = "client_id", nullable = false)
    public String clientId;

    @Column(name = "redirect_uri", nullable = false)
    public String redirectUri;

    @Column(nullable = false)
    public String scope;

    public String nonce;

    @Column(name = "code_challenge", nullable = false)
    public String codeChallenge;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    @Column(nullable = false)
    public String amr;

    @Column(name = "auth_time", nullable = false)
    public OffsetDateTime authTime;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "expires_at", nullable = false)
    public OffsetDateTime expiresAt;

    @Column(name = "used_at")
    public OffsetDateTime usedAt;

    /** The session the code's redemption opened; ended if the code is presented again. */
    @Column(name = "session_id")
    public UUID sessionId;

    public List<String> authenticationMethods() {
        return Arrays.stream(amr.split(" ")).filter(s -> !s.isEmpty()).toList();
    }

    public List<String> scopes() {
        return Arrays.stream(scope.split(" ")).filter(s -> !s.isEmpty()).toList();
    }
}
