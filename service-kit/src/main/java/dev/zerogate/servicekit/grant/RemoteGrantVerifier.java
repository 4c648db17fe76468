package dev.zerogate.servicekit.grant;

import dev.zerogate.servicekit.token.RemoteKeySetVerifier;
import dev.zerogate.servicekit.token.RemoteKeySetVerifier.KeySet;

import java.time.Clock;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Verifies access grants in relays and connectors against policy-svc's grant keys
 * ({@code AuthorizationService.GetGrantSigningKeys}), fetched and cached by the same rules as
 * identity-svc's keys (see {@link RemoteKeySetVerifier}): fetched at first use and when stale,
 * fetched again for an unknown key id at most once per 30 s, fails closed without keys.
 */
public final class RemoteGrantVerifier {

    private final AccessGrantVerifier verifier;
    private final RemoteKeySetVerifier keys;

    public RemoteGrantVerifier(AccessGrantVerifier verifier, Supplier<CompletionStage<KeySet>> fetch, Clock clock) {
        this.verifier = verifier;
        this.keys = new RemoteKeySetVerifier(null, fetch, clock);
    }

    /** Signature, type, issuer, audience, lifetime; fails with {@link GrantRejectedException}. */
    public CompletionStage<VerifiedGrant> verify(String grant) {
        return keys.withKeySet(jwks -> verifier.verify(grant, jwks),
                e -> e instanceof GrantRejectedException rejected
                        && rejected.reason() == GrantRejectedException.Reason.UNKNOWN_KEY
                        && AccessGrantVerifier.keyIdOf(grant).isPresent());
    }

    /** The flow checks of a verified grant (see {@link AccessGrantVerifier#checkFlow}). */
    public AccessGrantVerifier verifier() {
        return verifier;
    }
}
