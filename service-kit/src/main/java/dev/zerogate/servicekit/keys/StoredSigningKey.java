package dev.zerogate.servicekit.keys;

import jakarta.persistence.Column;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;

import java.time.OffsetDateTime;

/**
 * The columns of a service's table of signing keys. Each service maps its own table by extending
 * this class ({@code @Entity @Table(name = ...)}); the table itself is that service's migration,
 * and Hibernate checks this mapping against it at start. One row is ACTIVE; RETIRED ones stay
 * published until {@link #notAfter}, when nothing they signed can still be valid.
 *
 * <p>State changes go through {@link #activate} and {@link #retire}, inside this class, so that
 * Hibernate's enhancement sees every write however the caller is packaged.
 */
@MappedSuperclass
public abstract class StoredSigningKey {

    public enum Status { ACTIVE, RETIRED }

    /** The key's RFC 7638 JWK thumbprint; the {@code kid} of what it signs. */
    @Id
    public String kid;

    /** JWS algorithm; {@value SigningKeyMaterial#ALGORITHM} only. */
    @Column(nullable = false)
    public String alg;

    /** The public key as a JWK, exactly as the key set publishes it. */
    @Column(name = "public_jwk", nullable = false)
    public String publicJwk;

    /** PKCS#8 private key sealed with the service's master key (associated data names the kid). */
    @Column(name = "private_key_sealed", nullable = false)
    public byte[] privateKeySealed;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public Status status;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "retired_at")
    public OffsetDateTime retiredAt;

    /** After this instant nothing signed by this key is valid; the key leaves the key set. */
    @Column(name = "not_after")
    public OffsetDateTime notAfter;

    /** Makes this (new) row the active key {@code generated}, created at {@code createdAt}. */
    public void activate(SigningKeyMaterial.Generated generated, OffsetDateTime createdAt) {
        this.kid = generated.kid();
        this.alg = SigningKeyMaterial.ALGORITHM;
        this.publicJwk = generated.publicJwk();
        this.privateKeySealed = generated.privateKeySealed();
        this.status = Status.ACTIVE;
        this.createdAt = createdAt;
    }

    /** Stops signing with this key at {@code at}; it stays published until {@code notAfter}. */
    public void retire(OffsetDateTime at, OffsetDateTime notAfter) {
        this.status = Status.RETIRED;
        this.retiredAt = at;
        this.notAfter = notAfter;
    }

    /** Whether this key still verifies at {@code now}: the active key, or a retired one before its limit. */
    public boolean isPublishedAt(OffsetDateTime now) {
        return status == Status.ACTIVE || (notAfter != null && notAfter.isAfter(now));
    }

    /** Names the key only: an entity may end up in a log line, its sealed private key must not. */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "[kid=" + kid + ", status=" + status + "]";
    }
}
