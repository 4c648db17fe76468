package dev.zerogate.identity.service;

import dev.zerogate.identity.AuditEvent;
import dev.zerogate.identity.repository.AuditEventRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.OffsetDateTime;

/**
 * identity-svc's own audit log (the {@code audit_events} table; policy-svc keeps a separate one
 * for policy changes). Appends inside the caller's transaction, so an action and its record
 * commit together.
 */
@ApplicationScoped
public class IdentityAuditLog {

    private final AuditEventRepository events;
    private final Clock clock;

    IdentityAuditLog(AuditEventRepository events, Clock clock) {
        this.events = events;
        this.clock = clock;
    }

    public Uni<Void> record(String action, boolean success, String actor, String subject, String source, String detail) {
        AuditEvent event = new AuditEvent();
        event.occurredAt = Times.utcNow(clock);
        event.action = action;
        event.outcome = success ? "success" : "failure";
        event.actor = actor;
        event.subject = subject;
        event.source = source;
        event.detail = detail;
        return events.persist(event).replaceWithVoid();
    }
}
