package dev.zerogate.identity.repository;

import dev.zerogate.identity.AuditEvent;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** The audit log: appended to, never updated. */
@ApplicationScoped
public class AuditEventRepository implements PanacheRepositoryBase<AuditEvent, Long> {
}
