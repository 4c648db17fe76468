package dev.zerogate.identity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One revocation in the ordered log ({@code revocations}): from {@link #revokedAt} on, every
 * token the subject holds is refused, and enforcement points close its flows.
 */
@Entity
@Table(name = "revocations")
public class Revocation {

    /** What kind of principal or credential a revocation names. */
    public enum SubjectKind { USER, DEVICE, SESSION, SERVICE_ACCOUNT, CONNECTOR }

    /** Commit order: writers serialise on an advisory lock before taking a sequence. */
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long sequence;

    @Enumerated(EnumType.STRING)
    @Column(name = "subject_kind", nullable = false)
    public SubjectKind subjectKind;

    @Column(name = "subject_id", nullable = false)
    public UUID subjectId;

    @Column(name = "revoked_at", nullable = false)
    public OffsetDateTime revokedAt;

    /** A {@code zerogate.identity.v1.RevocationReason} name without its prefix, e.g. {@code ADMIN}. */
    @Column(nullable = false)
    public String reason;

    /** Free text for logs (at most 500 characters); never a secret. */
    public String detail;
}
