package dev.zerogate.servicekit.token;

import java.util.Arrays;
import java.util.Optional;

/**
 * Who an access token speaks for, from its {@code zg_kind} claim. Roles are decided on it:
 * only a {@link #USER} can be an admin, only a {@link #CONNECTOR} may call connector rpcs.
 */
public enum PrincipalKind {
    /** A person (built-in account or upstream IdP user); {@code sub} is a user id. */
    USER("user"),
    /** A headless client signed in with a service-account key; {@code sub} is its id. */
    SERVICE_ACCOUNT("service_account"),
    /** A connector; {@code sub} is the connector id. */
    CONNECTOR("connector");

    /** The access-token claim that names the kind. */
    public static final String CLAIM = "zg_kind";

    private final String claimValue;

    PrincipalKind(String claimValue) {
        this.claimValue = claimValue;
    }

    public String claimValue() {
        return claimValue;
    }

    public static Optional<PrincipalKind> fromClaim(String value) {
        return Arrays.stream(values()).filter(kind -> kind.claimValue.equals(value)).findFirst();
    }
}
