package dev.zerogate.identity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A person who can log in: through an upstream identity provider or with a built-in account.
 * The schema is {@code db/migration}'s; this mapping is checked against it at start.
 */
@Entity
@Table(name = "users")
public class User {

    @Id
    public UUID id;

    /** Unique, lower case, 1 to 128 characters of {@code [a-z0-9._@-]}; the database enforces it. */
    @Column(nullable = false)
    public String username;

    @Column(name = "display_name")
    public String displayName;

    public String email;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    /** Argon2id PHC string of a built-in account's password; null for upstream-only users. */
    @Column(name = "password_hash")
    public String passwordHash;

    /** May manage zerogate (users, networks, resources, rules). */
    @Column(name = "is_admin", nullable = false)
    public boolean admin;

    /** TOTP secret sealed with the master key; set at enrolment, in use once confirmed. */
    @Column(name = "totp_secret_sealed")
    public byte[] totpSecretSealed;

    /** When the second factor was confirmed; from then on logins need a one-time code. */
    @Column(name = "totp_confirmed_at")
    public OffsetDateTime totpConfirmedAt;

    /** The TOTP time step last used to log in; a code of that step or older is refused. */
    @Column(name = "totp_last_step")
    public Long totpLastStep;

    /** Set when an admin revokes the account; a revoked user cannot log in. */
    @Column(name = "disabled_at")
    public OffsetDateTime disabledAt;

    @Column(name = "revocation_reason")
    public String revocationReason;

    /** Groups from the upstream IdP's groups claim at the last login, one per line. */
    @Column(name = "upstream_groups", nullable = false)
    public String upstreamGroups = "";

    public java.util.Set<String> upstreamGroupSet() {
        return java.util.Arrays.stream(upstreamGroups.split("\n")).filter(g -> !g.isEmpty())
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    public static User create(String username, String displayName) {
        User user = new User();
        user.id = UUID.randomUUID();
        user.username = username;
        user.displayName = displayName;
        user.createdAt = OffsetDateTime.now();
        return user;
    }
}
