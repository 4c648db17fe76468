package dev.zerogate.identity.grpc;

import dev.zerogate.identity.service.RevocationLog;
import dev.zerogate.identity.service.SigningKeyService;
import dev.zerogate.servicekit.token.AccessTokenVerifier;
import dev.zerogate.servicekit.token.TokenRejectedException;
import dev.zerogate.servicekit.token.VerifiedAccessToken;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;


/**
 * Authenticates a gRPC call by its {@code authorization: Bearer <access token>} metadata and
 * puts the verified token in the call's context ({@link #CALLER}); handlers never parse
 * tokens. The key binding ({@code cnf}) is left to the handler, which knows what proves the
 * key in its rpc (a CSR's signature today, the TLS client certificate once clients use one).
 */
@ApplicationScoped
public class AccessTokenInterceptor implements ServerInterceptor {

    public static final Context.Key<VerifiedAccessToken> CALLER = Context.key("zerogate-caller");
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "Bearer ";

    private final SigningKeyService signingKeys;
    private final AccessTokenVerifier verifier;
    private final RevocationLog revocations;

    AccessTokenInterceptor(SigningKeyService signingKeys, AccessTokenVerifier verifier, RevocationLog revocations) {
        this.signingKeys = signingKeys;
        this.verifier = verifier;
        this.revocations = revocations;
    }

    /**
     * The only rpcs behind this interceptor whose credential is in the request body (the
     * connector's bootstrap pair or refresh token), not in metadata. Everything else needs a token.
     */
    static final java.util.Set<String> BODY_CREDENTIAL_METHODS = java.util.Set.of(
            "zerogate.identity.v1.EnrollmentService/BootstrapConnector",
            "zerogate.identity.v1.EnrollmentService/RefreshConnectorCredentials");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (BODY_CREDENTIAL_METHODS.contains(call.getMethodDescriptor().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        String authorization = headers.get(AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return refuse(call, "missing bearer access token");
        }
        try {
            VerifiedAccessToken caller = verifier.verifyIgnoringKeyBinding(
                    authorization.substring(BEARER.length()).strip(), signingKeys.cachedKeySet().jwksJson());
            if (revocations.revokes(caller)) {
                return refuse(call, "access token refused: revoked (its user, device, session or credential was revoked)");
            }
            return Contexts.interceptCall(Context.current().withValue(CALLER, caller), call, headers, next);
        } catch (TokenRejectedException e) {
            Log.debugf("refused %s: %s", call.getMethodDescriptor().getFullMethodName(), e.reason());
            return refuse(call, "access token refused: " + e.getMessage());
        }
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, String message) {
        call.close(Status.UNAUTHENTICATED.withDescription(message), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }
}
