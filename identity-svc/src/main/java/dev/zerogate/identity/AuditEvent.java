package dev.zerogate.identity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** One line of the append-only audit log. Never holds a secret. */
@Entity
@Table(name = "audit_events")
public class AuditEvent {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "occurred_at", nullable = false)
    public OffsetDateTime occurredAt;

    /** What happened, e.g. {@code login}, {@code token.issued}, {@code refresh.reuse}. */
    @Column(nullable = false)
    public String action;

    /** {@code success} or {@code failure}. */
    @Column(nullable = false)
    public String outcome;

    /** Who did it (user id, or the username tried for a failed login). */
    public String actor;

    /** What it was done to (session id, user id). */
    public String subject;

    /** Where it came from (client address). */
    public String source;

    /** Human detail, e.g. the failure reason. */
    public String detail;
}
