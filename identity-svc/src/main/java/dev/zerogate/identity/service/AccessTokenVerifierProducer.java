package dev.zerogate.identity.service;

import dev.zerogate.identity.config.IdentityConfig;
import dev.zerogate.servicekit.token.AccessTokenVerifier;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Duration;

/** One verifier of identity-svc's own access tokens, for every adapter that checks them. */
public class AccessTokenVerifierProducer {

    /** Tolerated difference between clocks when checking exp, nbf and iat. */
    static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

    @Produces
    @Singleton
    AccessTokenVerifier verifier(IdentityConfig config) {
        return new AccessTokenVerifier(config.issuer(), config.tokens().audience(), CLOCK_SKEW);
    }
}
