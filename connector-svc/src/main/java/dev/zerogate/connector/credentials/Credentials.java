package dev.zerogate.connector.credentials;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Everything the connector proves itself with, as one consistent value: replaced whole on every
 * rotation, persisted whole before any part of it is used. {@link #toString()} shows ids, the
 * certificate serial and times only.
 *
 * @param connectorId      the connector's id (UUID), assigned by policy-svc
 * @param remoteNetworkId  the remote network (UUID) it serves
 * @param certificate      the current key and certificate
 * @param tokens           the current tokens
 * @param tokensReceivedAt when the tokens arrived, by the connector's clock: the refresh is
 *                         timed from it, so a skewed clock cannot make it late
 */
public record Credentials(String connectorId, String remoteNetworkId, CertificateGeneration certificate, Tokens tokens,
                          Instant tokensReceivedAt) {

    public Credentials {
        Objects.requireNonNull(connectorId, "connectorId");
        Objects.requireNonNull(remoteNetworkId, "remoteNetworkId");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(tokensReceivedAt, "tokensReceivedAt");
    }

    /**
     * identity-svc allows one refresh per 10 seconds; a clock running ahead of identity-svc's
     * (tokens that look expired on arrival) must not turn into a refresh loop either.
     */
    public static final Duration MIN_REFRESH_INTERVAL = Duration.ofSeconds(10);

    /** Two thirds into the access token's lifetime as the connector saw it, and not before {@link #MIN_REFRESH_INTERVAL}. */
    public Instant tokensRefreshAt() {
        Duration twoThirds = Duration.between(tokensReceivedAt, tokens.accessTokenExpiresAt()).multipliedBy(2).dividedBy(3);
        return tokensReceivedAt.plus(twoThirds.compareTo(MIN_REFRESH_INTERVAL) < 0 ? MIN_REFRESH_INTERVAL : twoThirds);
    }

    /** When the next rotation is due: the token refresh or the certificate renewal, whichever is first. */
    public Instant nextRotationAt() {
        Instant refresh = tokensRefreshAt();
        return refresh.isBefore(certificate.renewAfter()) ? refresh : certificate.renewAfter();
    }

    @Override
    public String toString() {
        return "Credentials[connector " + connectorId + ", network " + remoteNetworkId + ", " + certificate + ", " + tokens + "]";
    }
}
