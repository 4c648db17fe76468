package dev.zerogate.relay.service;

import dev.zerogate.relay.config.RelayConfig;
import dev.zerogate.servicekit.token.AccessTokenVerifier;
import dev.zerogate.servicekit.token.PrincipalKind;
import dev.zerogate.servicekit.token.RemoteKeySetVerifier;
import dev.zerogate.servicekit.token.VerifiedAccessToken;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Verifies a connector's access token against identity-svc's JWKS (fetched over HTTP and
 * cached): a connector principal naming its remote network. Fails closed.
 */
@ApplicationScoped
public class ConnectorAuthenticator {

    private final RemoteKeySetVerifier verifier;

    ConnectorAuthenticator(RelayConfig config, ControlPlaneTrust trust, Clock clock) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(trust.sslContext()).build();
        URI jwks = URI.create(config.identityUrl().replaceAll("/+$", "") + "/oauth2/jwks");
        this.verifier = new RemoteKeySetVerifier(
                new AccessTokenVerifier(config.identityIssuer().orElse(config.identityUrl()).replaceAll("/+$", ""), config.tokenAudience(), Duration.ofSeconds(30)),
                () -> http.sendAsync(HttpRequest.newBuilder(jwks).timeout(Duration.ofSeconds(5)).build(),
                                HttpResponse.BodyHandlers.ofString())
                        .thenApply(response -> {
                            if (response.statusCode() != 200) {
                                throw new IllegalStateException("identity-svc answered " + response.statusCode() + " for its JWKS");
                            }
                            return new RemoteKeySetVerifier.KeySet(response.body(), Duration.ofMinutes(5));
                        })
                        .whenComplete((keys, failure) -> {
                            if (failure != null) {
                                Log.warnf("fetching identity-svc's JWKS from %s failed: %s", jwks, failure.toString());
                            }
                        }),
                clock);
    }

    /** The verified connector token; fails with a TokenRejectedException (possibly wrapped). */
    public CompletionStage<VerifiedAccessToken> verify(String token) {
        return verifier.verifyDeferringKeyBinding(token).thenApply(verified -> {
            if (verified.kind() != PrincipalKind.CONNECTOR || verified.networkId().isEmpty()) {
                throw new IllegalArgumentException("the token is not a connector's");
            }
            return verified;
        });
    }
}
