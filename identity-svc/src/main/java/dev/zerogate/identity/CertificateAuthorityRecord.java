package dev.zerogate.identity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** zerogate's root CA: its self-signed certificate and its private key sealed with the master key. */
@Entity
@Table(name = "certificate_authorities")
public class CertificateAuthorityRecord {

    /** Always 1: one CA (a CA rotation will add rows and lift this). */
    @Id
    public Integer id;

    @Column(name = "certificate_der", nullable = false)
    public byte[] certificateDer;

    @Column(name = "private_key_sealed", nullable = false)
    public byte[] privateKeySealed;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;
}
