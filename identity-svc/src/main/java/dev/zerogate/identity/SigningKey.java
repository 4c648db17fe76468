package dev.zerogate.identity;

import dev.zerogate.servicekit.keys.StoredSigningKey;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/**
 * A key that signs access tokens. One is ACTIVE; RETIRED ones stay published in the JWKS until
 * {@link #notAfter}, when no token they signed can still be valid. The columns are service-kit's
 * {@link StoredSigningKey}; the table is {@code db/migration}'s (V2).
 */
@Entity
@Table(name = "signing_keys")
public class SigningKey extends StoredSigningKey {
}
