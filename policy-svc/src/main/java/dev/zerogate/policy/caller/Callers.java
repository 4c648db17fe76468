package dev.zerogate.policy.caller;

import dev.zerogate.policy.Actor;
import dev.zerogate.policy.RevocationRecord;
import dev.zerogate.policy.config.PolicyConfig;
import dev.zerogate.policy.service.PolicyError;
import dev.zerogate.policy.store.PolicyState;
import dev.zerogate.policy.store.PolicyStore;
import dev.zerogate.servicekit.edge.DeploymentTrust;
import dev.zerogate.servicekit.token.AccessTokenVerifier;
import dev.zerogate.servicekit.token.PrincipalKind;
import dev.zerogate.servicekit.token.RemoteKeySetVerifier;
import dev.zerogate.servicekit.token.TokenRejectedException;
import dev.zerogate.servicekit.token.VerifiedAccessToken;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who is calling, for every adapter (gRPC and REST alike): verifies the caller's access token
 * against identity-svc's published keys (fetched over HTTP and cached, see
 * {@link RemoteKeySetVerifier}; over https trusting {@link DeploymentTrust}), refuses revoked callers, and checks roles. Fails closed: no
 * token, a bad token or an unreachable key set is UNAUTHENTICATED; the wrong role is
 * PERMISSION_DENIED with a message naming the role needed (as {@link PolicyError}s, which each
 * adapter maps to its status).
 *
 * <p>The key binding ({@code cnf.jkt}) is carried forward, not checked here: Authorize copies it
 * into the grant, and the connector refuses a flow whose end-to-end session is not keyed by it.
 */
@ApplicationScoped
public class Callers {

    private static final Duration CLOCK_SKEW = Duration.ofSeconds(30);
    private static final Duration DEFAULT_KEYS_TTL = Duration.ofMinutes(5);
    private static final Pattern MAX_AGE = Pattern.compile("max-age=(\\d+)");

    /**
     * What an adapter knows about the call before anything is verified.
     *
     * @param bearerToken the access token as sent; empty when none
     * @param peerAddress the caller's address as this service sees it
     * @param requestId the caller's correlation id; empty when none
     */
    public record Call(String bearerToken, String peerAddress, String requestId) {

        public Call {
            bearerToken = bearerToken == null ? "" : bearerToken;
            peerAddress = peerAddress == null ? "" : peerAddress;
            requestId = requestId == null ? "" : requestId;
        }
    }

    /** Most verified tokens remembered; a client reuses its token for many calls within its minutes of life. */
    static final int MAX_VERIFIED_TOKENS = 20_000;

    private final RemoteKeySetVerifier verifier;
    private final PolicyStore store;
    private final PolicyConfig config;
    private final Clock clock;
    /**
     * Tokens whose signature and claims were verified, by their exact text, until they expire: an
     * ES256 check costs about a millisecond of CPU on this JDK, a decision microseconds. Only the
     * exact bytes that verified hit; revocation is still checked on every call.
     */
    private final java.util.Map<String, VerifiedAccessToken> verified = new java.util.concurrent.ConcurrentHashMap<>();

    Callers(PolicyConfig config, PolicyStore store, Vertx vertx, Clock clock, DeploymentTrust trust) {
        this.config = config;
        this.store = store;
        this.clock = clock;
        WebClient client = WebClient.create(vertx, trust.webClientOptions());
        String jwksUrl = config.identity().url().replaceAll("/+$", "") + "/oauth2/jwks";
        String issuer = config.identity().issuer().orElse(config.identity().url());
        this.verifier = new RemoteKeySetVerifier(new AccessTokenVerifier(issuer, config.identity().audience(), CLOCK_SKEW),
                () -> client.getAbs(jwksUrl).send().map(response -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("identity-svc answered " + response.statusCode() + " for its JWKS");
                    }
                    return new RemoteKeySetVerifier.KeySet(response.bodyAsString(), cacheTtl(response.getHeader("Cache-Control")));
                }).onFailure().invoke(e -> Log.warnf("fetching identity-svc's JWKS from %s failed: %s", jwksUrl, e.toString()))
                        .subscribeAsCompletionStage(),
                clock);
    }

    private static Duration cacheTtl(String cacheControl) {
        if (cacheControl != null) {
            Matcher matcher = MAX_AGE.matcher(cacheControl);
            if (matcher.find()) {
                return Duration.ofSeconds(Math.min(Long.parseLong(matcher.group(1)), DEFAULT_KEYS_TTL.toSeconds()));
            }
        }
        return DEFAULT_KEYS_TTL;
    }

    /** The verified, unrevoked caller. */
    public Uni<VerifiedAccessToken> authenticate(Call call) {
        if (call.bearerToken().isEmpty()) {
            return Uni.createFrom().failure(unauthenticated("missing bearer access token"));
        }
        VerifiedAccessToken known = verified.get(call.bearerToken());
        if (known != null && known.expiresAt().isAfter(clock.instant())) {
            // Inside the Uni: a refusal thrown from here would escape every adapter's error
            // mapping, and gRPC would answer UNKNOWN instead of UNAUTHENTICATED.
            return Uni.createFrom().item(() -> {
                refuseRevoked(known);
                return known;
            });
        }
        return Uni.createFrom().completionStage(() -> verifier.verifyDeferringKeyBinding(call.bearerToken()))
                .onFailure().transform(Callers::refusal)
                .invoke(this::refuseRevoked)
                .invoke(caller -> remember(call.bearerToken(), caller));
    }

    private void remember(String token, VerifiedAccessToken caller) {
        if (verified.size() >= MAX_VERIFIED_TOKENS) {
            java.time.Instant now = clock.instant();
            verified.values().removeIf(entry -> !entry.expiresAt().isAfter(now));
            if (verified.size() >= MAX_VERIFIED_TOKENS) {
                verified.clear();
            }
        }
        verified.put(token, caller);
    }

    /** The caller, if an admin: a user in the admin group. */
    public Uni<VerifiedAccessToken> requireAdmin(Call call) {
        return authenticate(call).invoke(caller -> {
            if (!isAdmin(caller)) {
                throw denied("this rpc is for admins (members of group '" + config.adminGroup() + "')");
            }
        });
    }

    /** The caller, if an admin or an auditor. */
    public Uni<VerifiedAccessToken> requireAuditor(Call call) {
        return authenticate(call).invoke(caller -> {
            if (!isAdmin(caller) && !(caller.kind() == PrincipalKind.USER && caller.groups().contains(config.auditorGroup()))) {
                throw denied("the audit log is for admins and auditors (members of group '" + config.adminGroup() + "' or '"
                        + config.auditorGroup() + "')");
            }
        });
    }

    /** The caller, if one of {@code kinds}. */
    public Uni<VerifiedAccessToken> requireKind(Call call, PrincipalKind... kinds) {
        return authenticate(call).invoke(caller -> {
            for (PrincipalKind kind : kinds) {
                if (caller.kind() == kind) {
                    return;
                }
            }
            throw denied("this rpc is not for a " + caller.kind().claimValue());
        });
    }

    /** Whether the caller is a relay: one of the configured relay service accounts. */
    public boolean isRelay(VerifiedAccessToken caller) {
        return caller.kind() == PrincipalKind.SERVICE_ACCOUNT
                && config.stream().relayServiceAccounts().orElse(java.util.List.of()).contains(caller.subject());
    }

    public boolean isAdmin(VerifiedAccessToken caller) {
        return caller.kind() == PrincipalKind.USER && caller.groups().contains(config.adminGroup());
    }

    /** The caller as the audit log names it. */
    public static Actor actor(VerifiedAccessToken caller, Call call) {
        Actor.Kind kind = switch (caller.kind()) {
            case USER -> Actor.Kind.USER;
            case SERVICE_ACCOUNT -> Actor.Kind.SERVICE_ACCOUNT;
            case CONNECTOR -> Actor.Kind.CONNECTOR;
        };
        return new Actor(kind, caller.subject(), "", caller.deviceId().orElse(""), call.peerAddress(), call.requestId());
    }

    private void refuseRevoked(VerifiedAccessToken caller) {
        PolicyState state = store.current();
        RevocationRecord.Target subjectKind = switch (caller.kind()) {
            case USER -> RevocationRecord.Target.USER;
            case SERVICE_ACCOUNT -> RevocationRecord.Target.SERVICE_ACCOUNT;
            case CONNECTOR -> RevocationRecord.Target.CONNECTOR;
        };
        if (state.isRevoked(subjectKind, caller.subject()) || state.isRevoked(RevocationRecord.Target.SESSION, caller.sessionId())
                || caller.deviceId().map(device -> state.isRevoked(RevocationRecord.Target.DEVICE, device)).orElse(false)) {
            throw unauthenticated("access token refused: revoked (its user, device, session or credential was revoked)");
        }
    }

    private static Throwable refusal(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof TokenRejectedException rejected) {
            return unauthenticated("access token refused: " + rejected.getMessage());
        }
        return cause;
    }

    private static PolicyError unauthenticated(String message) {
        return new PolicyError(PolicyError.Kind.UNAUTHENTICATED, "", message);
    }

    private static PolicyError denied(String message) {
        return new PolicyError(PolicyError.Kind.PERMISSION_DENIED, "", message);
    }
}
