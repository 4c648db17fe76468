package dev.zerogate.servicekit.token;

import dev.zerogate.servicekit.token.TokenRejectedException.Reason;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Verifies access tokens in services other than identity-svc, against identity-svc's JWKS
 * fetched from afar ({@code AuthService.GetSigningKeys} or {@code /oauth2/jwks}) and cached.
 *
 * <p>The key set is fetched at first use, again when its cache lifetime has passed, and again
 * when a token names a key the cached set lacks (a rotation happened) — but at most once per
 * {@link #UNKNOWN_KEY_REFETCH_GAP}, so that tokens with made-up key ids cannot make us hammer
 * identity-svc. Concurrent callers share one fetch. A failed fetch keeps the previous set
 * (its keys are still valid until they are rotated out) and fails closed when there is none.
 */
public final class RemoteKeySetVerifier {

    /** Minimum time between two fetches caused by unknown key ids. */
    public static final Duration UNKNOWN_KEY_REFETCH_GAP = Duration.ofSeconds(30);

    /** A fetched key set and how long it may be cached. */
    public record KeySet(String jwksJson, Duration cacheTtl) {
    }

    private record Cached(String jwksJson, Instant fetchedAt, Instant staleAt) {
    }

    private final AccessTokenVerifier verifier;
    private final Supplier<CompletionStage<KeySet>> fetch;
    private final Clock clock;
    private volatile Cached cached;
    private CompletableFuture<Cached> inFlight;

    public RemoteKeySetVerifier(AccessTokenVerifier verifier, Supplier<CompletionStage<KeySet>> fetch, Clock clock) {
        this.verifier = verifier;
        this.fetch = fetch;
        this.clock = clock;
    }

    /** Verifies {@code token} (see {@link AccessTokenVerifier#verify}); fails with {@link TokenRejectedException}. */
    public CompletionStage<VerifiedAccessToken> verify(String token, Optional<String> presentedKeyThumbprint) {
        return verifyWith(token, jwks -> verifier.verify(token, jwks, presentedKeyThumbprint));
    }

    /**
     * Everything {@link #verify} checks except the key binding, for a service that carries the
     * binding forward instead of checking it: policy-svc copies the token's {@code cnf.jkt}
     * into the grant, which the connector checks against the key of the end-to-end session.
     */
    public CompletionStage<VerifiedAccessToken> verifyDeferringKeyBinding(String token) {
        return verifyWith(token, jwks -> verifier.verifyIgnoringKeyBinding(token, jwks));
    }

    private interface Check {
        VerifiedAccessToken against(String jwksJson) throws TokenRejectedException;
    }

    private CompletionStage<VerifiedAccessToken> verifyWith(String token, Check check) {
        Cached current = cached;
        Instant now = clock.instant();
        if (current == null || !current.staleAt().isAfter(now)) {
            return refetch().thenApply(fresh -> checked(fresh, check));
        }
        try {
            return CompletableFuture.completedFuture(check.against(current.jwksJson()));
        } catch (TokenRejectedException e) {
            boolean mayRefetch = e.reason() == Reason.UNKNOWN_KEY
                    && !current.fetchedAt().plus(UNKNOWN_KEY_REFETCH_GAP).isAfter(now)
                    && AccessTokenVerifier.keyIdOf(token).isPresent();
            if (!mayRefetch) {
                return CompletableFuture.failedFuture(e);
            }
            return refetch().thenApply(fresh -> checked(fresh, check));
        }
    }

    private static VerifiedAccessToken checked(Cached keys, Check check) {
        try {
            return check.against(keys.jwksJson());
        } catch (TokenRejectedException e) {
            throw new java.util.concurrent.CompletionException(e);
        }
    }

    /** One fetch at a time; callers arriving meanwhile share it. */
    private synchronized CompletableFuture<Cached> refetch() {
        if (inFlight != null) {
            return inFlight;
        }
        CompletableFuture<Cached> started;
        try {
            started = fetch.get().toCompletableFuture().thenApply(keySet -> {
                Instant now = clock.instant();
                Cached fresh = new Cached(keySet.jwksJson(), now, now.plus(keySet.cacheTtl()));
                cached = fresh;
                return fresh;
            });
        } catch (RuntimeException e) {
            started = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Cached> result = started.handle((fresh, failure) -> {
            synchronized (this) {
                inFlight = null;
            }
            if (failure == null) {
                return fresh;
            }
            Cached previous = cached;
            if (previous != null) {
                return previous;
            }
            throw new java.util.concurrent.CompletionException(new TokenRejectedException(Reason.UNKNOWN_KEY,
                    "identity-svc's signing keys could not be fetched"));
        });
        inFlight = result.isDone() ? null : result;
        return result;
    }
}
