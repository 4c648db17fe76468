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
        return withKeySet(check::against, e -> e instanceof TokenRejectedException rejected
                && rejected.reason() == Reason.UNKNOWN_KEY && AccessTokenVerifier.keyIdOf(token).isPresent());
    }

    /** A check against a key set that may fail; {@link #withKeySet} runs it against the cached set. */
    public interface KeySetCheck<T> {
        T against(String jwksJson) throws Exception;
    }

    /**
     * Runs {@code check} against the cached key set (fetching it first when there is none or it
     * is stale). When the check fails in a way {@code unknownKey} recognises, fetches again — at
     * most once per {@link #UNKNOWN_KEY_REFETCH_GAP} — and checks once more. Other services'
     * key sets (policy-svc's grant keys) reuse this cache with their own check.
     */
    public <T> CompletionStage<T> withKeySet(KeySetCheck<T> check, java.util.function.Predicate<Exception> unknownKey) {
        Cached current = cached;
        Instant now = clock.instant();
        if (current == null || !current.staleAt().isAfter(now)) {
            return refetch().thenApply(fresh -> checked(fresh, check));
        }
        try {
            return CompletableFuture.completedFuture(check.against(current.jwksJson()));
        } catch (Exception e) {
            boolean mayRefetch = unknownKey.test(e) && !current.fetchedAt().plus(UNKNOWN_KEY_REFETCH_GAP).isAfter(now);
            if (!mayRefetch) {
                return CompletableFuture.failedFuture(e);
            }
            return refetch().thenApply(fresh -> checked(fresh, check));
        }
    }

    private static <T> T checked(Cached keys, KeySetCheck<T> check) {
        try {
            return check.against(keys.jwksJson());
        } catch (Exception e) {
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
