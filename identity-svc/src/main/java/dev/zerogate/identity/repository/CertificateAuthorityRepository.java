package dev.zerogate.identity.repository;

import dev.zerogate.identity.CertificateAuthorityRecord;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** The CA record. */
@ApplicationScoped
public class CertificateAuthorityRepository implements PanacheRepositoryBase<CertificateAuthorityRecord, Integer> {
}
