package dev.zerogate.policy;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/**
 * A key that signs access grants. One is ACTIVE; RETIRED ones stay published until
 * {@link #notAfter}, when no grant they signed can still be valid. The schema is
 * {@code db/migration}'s (V3); this mapping is checked against it at start.
 */
@Entity
@Table(name = "grant_signing_keys")
public class GrantSigningKey {

    public enum Status { ACTIVE, RETIRED }

    /** The key's RFC 7638 JWK thumbprint; the {@code kid} of the grants it signs. */
    @Id
    public String kid;

    /** JWS algorithm; ES256 only. */
    @Column(nullable = false)
    public String alg;

    /** The public key as a JWK, as GetGrantSigningKeys publishes it. */
    @Column(name = "public_jwk", nullable = false)
    public String publicJwk;

    /** PKCS#8 private key sealed with the master key (associated data: the kid). */
    @Column(name = "private_key_sealed", nullable = false)
    public byte[] privateKeySealed;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public Status status;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "retired_at")
    public OffsetDateTime retiredAt;

    /** After this instant no grant signed by this key is valid; the key leaves the key set. */
    @Column(name = "not_after")
    public OffsetDateTime notAfter;
}
