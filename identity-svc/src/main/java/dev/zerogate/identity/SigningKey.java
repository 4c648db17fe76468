package dev.zerogate.identity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/**
 * A key that signs access tokens. One is ACTIVE; RETIRED ones stay published until
 * {@link #notAfter}, when no token they signed can still be valid.
 */
@Entity
@Table(name = "signing_keys")
public class SigningKey {

    public enum Status { ACTIVE, RETIRED }

    /** The key's RFC 7638 JWK thumbprint; the {@code kid} of the tokens it signs. */
    @Id
    public String kid;

    /** JWS algorithm; ES256 only for now. */
    @Column(nullable = false)
    public String alg;

    /** The public key as a JWK, as the JWKS publishes it. */
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

    /** After this instant no token signed by this key is valid; the key leaves the JWKS. */
    @Column(name = "not_after")
    public OffsetDateTime notAfter;
}
