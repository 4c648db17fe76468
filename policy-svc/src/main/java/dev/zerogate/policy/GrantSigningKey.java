package dev.zerogate.policy;

import dev.zerogate.servicekit.keys.StoredSigningKey;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/**
 * A key that signs access grants. One is ACTIVE; RETIRED ones stay published until
 * {@link #notAfter}, when no grant they signed can still be valid. The columns are service-kit's
 * {@link StoredSigningKey}; the table is {@code db/migration}'s (V3), and this mapping is checked
 * against it at start.
 */
@Entity
@Table(name = "grant_signing_keys")
public class GrantSigningKey extends StoredSigningKey {
}
