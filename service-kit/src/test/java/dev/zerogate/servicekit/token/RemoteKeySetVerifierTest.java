package dev.zerogate.servicekit.token;

import dev.zerogate.servicekit.StepClock;

import dev.zerogate.servicekit.token.RemoteKeySetVerifier.KeySet;
import dev.zerogate.servicekit.token.TokenRejectedException.Reason;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static dev.zerogate.servicekit.token.AccessTokenVerifierTest.AUDIENCE;
import static dev.zerogate.servicekit.token.AccessTokenVerifierTest.ISSUER;
import static dev.zerogate.servicekit.token.AccessTokenVerifierTest.JWKS;
import static dev.zerogate.servicekit.token.AccessTokenVerifierTest.KID;
import static dev.zerogate.servicekit.token.AccessTokenVerifierTest.OTHER_KEY;
import static dev.zerogate.servicekit.token.AccessTokenVerifierTest.goodClaims;
import static dev.zerogate.servicekit.token.AccessTokenVerifierTest.jwks;
import static dev.zerogate.servicekit.token.AccessTokenVerifierTest.sign;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The remote key set: cached, fetched again on expiry and (rate-limited) on unknown key ids. */
class RemoteKeySetVerifierTest {

    final StepClock clock = new StepClock(Instant.now());
    final AtomicInteger fetches = new AtomicInteger();
    final AtomicReference<String> published = new AtomicReference<>(JWKS);

    final Supplier<CompletionStage<KeySet>> identity = () -> {
        fetches.incrementAndGet();
        return CompletableFuture.completedFuture(new KeySet(published.get(), Duration.ofMinutes(5)));
    };

    RemoteKeySetVerifier verifier(Supplier<CompletionStage<KeySet>> fetch) {
        return new RemoteKeySetVerifier(new AccessTokenVerifier(ISSUER, AUDIENCE, Duration.ofSeconds(30)), fetch, clock);
    }

    static String signedByOtherKey() {
        return goodClaims().jws().keyId("key-2").algorithm(SignatureAlgorithm.ES256).header("typ", "at+jwt").sign(OTHER_KEY.getPrivate());
    }

    static Reason rejection(CompletionStage<?> stage) {
        CompletionException e = assertThrows(CompletionException.class, () -> stage.toCompletableFuture().join());
        return assertInstanceOf(TokenRejectedException.class, e.getCause()).reason();
    }

    @Test
    void fetchesOnceThenVerifiesFromTheCache() {
        RemoteKeySetVerifier verifier = verifier(identity);
        String token = sign(goodClaims());
        assertEquals("user-1", verifier.verify(token, Optional.empty()).toCompletableFuture().join().subject());
        verifier.verify(token, Optional.empty()).toCompletableFuture().join();
        assertEquals(1, fetches.get());
        clock.now = clock.now.plus(Duration.ofMinutes(6));
        verifier.verify(token, Optional.empty()).toCompletableFuture().join();
        assertEquals(2, fetches.get(), "the cache lifetime passed: fetched again");
    }

    @Test
    void anUnknownKeyIdFetchesAgainButAtMostEvery30Seconds() {
        RemoteKeySetVerifier verifier = verifier(identity);
        verifier.verify(sign(goodClaims()), Optional.empty()).toCompletableFuture().join();
        // identity-svc rotates: the new key signs, the old one is still published.
        published.set(jwks(AccessTokenVerifierTest.KEY, KID).replace("]}", "," + jwks(OTHER_KEY, "key-2").substring(9)));
        String rotated = signedByOtherKey();

        assertEquals(Reason.UNKNOWN_KEY, rejection(verifier.verify(rotated, Optional.empty())), "within 30 s of the last fetch");
        assertEquals(1, fetches.get());
        clock.now = clock.now.plusSeconds(31);
        assertEquals("user-1", verifier.verify(rotated, Optional.empty()).toCompletableFuture().join().subject());
        assertEquals(2, fetches.get());

        // Made-up key ids do not cause a fetch each.
        clock.now = clock.now.plusSeconds(1);
        for (int i = 0; i < 10; i++) {
            String forged = goodClaims().jws().keyId("made-up-" + i).algorithm(SignatureAlgorithm.ES256)
                    .header("typ", "at+jwt").sign(OTHER_KEY.getPrivate());
            assertEquals(Reason.UNKNOWN_KEY, rejection(verifier.verify(forged, Optional.empty())));
        }
        assertEquals(2, fetches.get());
    }

    @Test
    void withoutAnyKeySetTokensAreRefused() {
        RemoteKeySetVerifier verifier = verifier(() -> CompletableFuture.failedFuture(new IllegalStateException("identity-svc is down")));
        assertEquals(Reason.UNKNOWN_KEY, rejection(verifier.verify(sign(goodClaims()), Optional.empty())));
    }

    @Test
    void aFailedRefreshKeepsThePreviousKeys() {
        AtomicReference<Boolean> down = new AtomicReference<>(false);
        RemoteKeySetVerifier verifier = verifier(() -> down.get()
                ? CompletableFuture.failedFuture(new IllegalStateException("identity-svc is down"))
                : identity.get());
        String token = sign(goodClaims());
        verifier.verify(token, Optional.empty()).toCompletableFuture().join();
        down.set(true);
        clock.now = clock.now.plus(Duration.ofMinutes(6));
        assertEquals("user-1", verifier.verify(token, Optional.empty()).toCompletableFuture().join().subject());
    }

    @Test
    void concurrentCallersShareOneFetch() {
        CompletableFuture<KeySet> pending = new CompletableFuture<>();
        RemoteKeySetVerifier verifier = verifier(() -> {
            fetches.incrementAndGet();
            return pending;
        });
        String token = sign(goodClaims());
        CompletionStage<VerifiedAccessToken> first = verifier.verify(token, Optional.empty());
        CompletionStage<VerifiedAccessToken> second = verifier.verify(token, Optional.empty());
        pending.complete(new KeySet(JWKS, Duration.ofMinutes(5)));
        assertEquals("user-1", first.toCompletableFuture().join().subject());
        assertEquals("user-1", second.toCompletableFuture().join().subject());
        assertEquals(1, fetches.get());
    }
}
