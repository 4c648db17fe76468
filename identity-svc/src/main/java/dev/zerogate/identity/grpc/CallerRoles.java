package dev.zerogate.identity.grpc;

import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.servicekit.token.PrincipalKind;
import dev.zerogate.servicekit.token.VerifiedAccessToken;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Role checks for gRPC handlers behind {@link AccessTokenInterceptor}: admin (a user in the
 * configured admin group), user, service account, connector. Fails closed: no caller in the
 * context is UNAUTHENTICATED, the wrong role PERMISSION_DENIED with a message that says which
 * role the rpc needs.
 */
@ApplicationScoped
public class CallerRoles {

    private final IdentityConfig config;

    CallerRoles(IdentityConfig config) {
        this.config = config;
    }

    /** The authenticated caller of the current call. */
    public VerifiedAccessToken caller() {
        VerifiedAccessToken caller = AccessTokenInterceptor.CALLER.get();
        if (caller == null) {
            throw Status.UNAUTHENTICATED.withDescription("missing bearer access token").asRuntimeException();
        }
        return caller;
    }

    public boolean isAdmin(VerifiedAccessToken caller) {
        return caller.kind() == PrincipalKind.USER && caller.groups().contains(config.adminGroup());
    }

    /** The caller, if they are an admin. */
    public VerifiedAccessToken requireAdmin() {
        VerifiedAccessToken caller = caller();
        if (!isAdmin(caller)) {
            throw Status.PERMISSION_DENIED.withDescription("this rpc is for admins (members of group '"
                    + config.adminGroup() + "')").asRuntimeException();
        }
        return caller;
    }

    /** The caller, if it is one of {@code kinds}. */
    public VerifiedAccessToken requireKind(PrincipalKind... kinds) {
        VerifiedAccessToken caller = caller();
        for (PrincipalKind kind : kinds) {
            if (caller.kind() == kind) {
                return caller;
            }
        }
        throw Status.PERMISSION_DENIED.withDescription("this rpc is not for a " + caller.kind().claimValue()).asRuntimeException();
    }
}
