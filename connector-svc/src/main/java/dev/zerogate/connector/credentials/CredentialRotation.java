package dev.zerogate.connector.credentials;

import dev.zerogate.connector.client.EnrollmentClient;
import dev.zerogate.connector.client.EnrollmentClient.Issued;
import dev.zerogate.connector.client.EnrollmentClient.IssuedCertificate;
import io.quarkus.logging.Log;

import java.io.IOException;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The connector's credential lifecycle, free of scheduling: {@link #start()} loads the stored
 * credentials or decides to bootstrap, and each {@link #step()} does what is due (bootstrap,
 * token refresh, certificate renewal with a new key, or a retry) and says when to step again.
 *
 * <p>What it guarantees about the single-use credentials (identity-svc revokes the connector when
 * one is presented twice):
 * <ul>
 *   <li>Nothing from an answer is used (published, handed out, sent) before the whole answer is
 *       durably stored ({@link CredentialStore#save}); while storing fails, it retries storing
 *       and sends nothing.</li>
 *   <li>A refresh token identity-svc answered for is never sent again, and the bootstrap pair is
 *       not sent once stored credentials exist.</li>
 *   <li>A token is sent again only after an attempt that got no answer (identity-svc down, a
 *       deadline) or after a crash before the answer was stored. If identity-svc had in fact
 *       spent it, it revokes the connector; its successor was lost anyway, so the admin must
 *       provision the connector again either way, and now learns so at once.</li>
 * </ul>
 * A refusal (UNAUTHENTICATED, PERMISSION_DENIED) is final: the error is logged once, the
 * connector stops rotating and reports not ready, and the stored credentials are set aside so
 * that a restart with a new bootstrap pair uses it. Other failures are retried with
 * {@link Backoff}.
 *
 * <p>Threads: {@link #start()} and {@link #step()} run on one thread at a time; the accessors
 * read volatile fields from any thread. Logs carry the connector id and certificate serials,
 * never a token or a key.
 */
public class CredentialRotation {

    /** Where the connector is in its life. */
    public enum Phase {
        /** No credentials yet; the bootstrap pair is being exchanged. */
        BOOTSTRAPPING,
        /** Credentials in hand and rotating. */
        ACTIVE,
        /** identity-svc refused the credentials; nothing more happens until a new provisioning. */
        REFUSED
    }

    /** The one-time pair from IdentityAdminService.CreateConnector. Secret: not in {@link #toString()}. */
    public record BootstrapPair(String accessToken, String refreshToken) {
        @Override
        public String toString() {
            return "BootstrapPair[redacted]";
        }
    }

    static final String PROVISION_AGAIN = "provision it again (IdentityAdminService.CreateConnector) and restart it with the new "
            + "ZEROGATE_ACCESS_TOKEN and ZEROGATE_REFRESH_TOKEN";

    private final CredentialStore store;
    private final EnrollmentClient identity;
    private final Clock clock;
    private final Backoff backoff;
    private final String softwareVersion;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong version = new AtomicLong();

    // Read from any thread, written by the stepping thread.
    private volatile Credentials current;
    private volatile Phase phase = Phase.BOOTSTRAPPING;
    /** Why the last attempt failed, for readiness; null after a success. Never a secret. */
    private volatile String lastFailure;
    private volatile boolean unstored;

    // The stepping thread's alone.
    private Optional<BootstrapPair> bootstrap;
    /** Answered by identity-svc but not yet stored: nothing of it is used, nothing is sent meanwhile. */
    private Credentials answered;
    /** The refresh token identity-svc last answered for: spent, never to be sent again. */
    private String spentRefreshToken;
    private int failures;
    /** A renewal identity-svc answered without a certificate is tried again from here on, not at once. */
    private Instant renewalRetryAt = Instant.MIN;

    public CredentialRotation(CredentialStore store, EnrollmentClient identity, Clock clock, Backoff backoff,
                              Optional<BootstrapPair> bootstrap, String softwareVersion) {
        this.store = store;
        this.identity = identity;
        this.clock = clock;
        this.backoff = backoff;
        this.bootstrap = bootstrap;
        this.softwareVersion = softwareVersion;
    }

    /**
     * Loads the stored credentials; without any, prepares the bootstrap.
     *
     * @throws IllegalStateException when there are neither stored credentials nor a bootstrap
     *                               pair, or the stored ones cannot be used; the message says what to do
     */
    public void start() {
        Optional<Credentials> stored = store.load();
        if (stored.isPresent()) {
            Credentials loaded = stored.get();
            if (bootstrap.isPresent()) {
                Log.infof("connector %s: ZEROGATE_ACCESS_TOKEN and ZEROGATE_REFRESH_TOKEN ignored: the connector bootstrapped "
                        + "before and keeps its rotated credentials in %s (the bootstrap pair works once)", loaded.connectorId(), store.directory());
                bootstrap = Optional.empty();
            }
            publish(loaded);
            Log.infof("connector %s: credentials loaded from %s, certificate %s", loaded.connectorId(), store.directory(),
                    loaded.certificate().serial());
            return;
        }
        if (bootstrap.isEmpty()) {
            throw new IllegalStateException(store.revokedEarlier()
                    ? "the connector's credentials in " + store.directory() + " were refused by identity-svc: " + PROVISION_AGAIN
                    : "the connector has no credentials in " + store.directory() + " and no bootstrap pair: set ZEROGATE_ACCESS_TOKEN and "
                    + "ZEROGATE_REFRESH_TOKEN from the connector's provisioning (IdentityAdminService.CreateConnector, after "
                    + "`zerogate admin connectors create`)");
        }
        Log.infof("connector: no credentials in %s yet; bootstrapping with ZEROGATE_ACCESS_TOKEN and ZEROGATE_REFRESH_TOKEN",
                store.directory());
    }

    /**
     * Does what is due and returns the delay until the next step, or empty once the credentials
     * were refused (nothing more to do).
     */
    public Optional<Duration> step() {
        if (phase == Phase.REFUSED) {
            return Optional.empty();
        }
        if (answered != null) {
            return store(answered);
        }
        if (current == null) {
            return bootstrap();
        }
        Instant now = clock.instant();
        Instant due = nextDue(current);
        if (now.isBefore(due)) {
            return Optional.of(Duration.between(now, due));
        }
        return refresh(now);
    }

    private Instant nextDue(Credentials credentials) {
        Instant renewal = credentials.certificate().renewAfter().isAfter(renewalRetryAt) ? credentials.certificate().renewAfter() : renewalRetryAt;
        Instant refresh = credentials.tokensRefreshAt();
        return refresh.isBefore(renewal) ? refresh : renewal;
    }

    private Optional<Duration> bootstrap() {
        BootstrapPair pair = bootstrap.orElseThrow(() -> new IllegalStateException("no bootstrap pair"));
        KeyPair key = ConnectorKeys.generate();
        Issued issued;
        try {
            issued = identity.bootstrap(pair.accessToken(), pair.refreshToken(), ConnectorKeys.csr(key), softwareVersion);
        } catch (EnrollmentClient.Refused e) {
            return refuse("the bootstrap pair: " + e.getMessage(), null);
        } catch (EnrollmentClient.Unavailable e) {
            return retry("bootstrap", null, e.getMessage());
        }
        bootstrap = Optional.empty();
        IssuedCertificate certificate = issued.certificate().orElseThrow();
        if (!isFor(certificate, key)) {
            return refuse("identity-svc issued the bootstrap certificate for another key", issued.connectorId());
        }
        Log.debugf("connector %s: bootstrapped; storing certificate %s", issued.connectorId(), certificate.serial());
        return store(new Credentials(issued.connectorId(), issued.remoteNetworkId(), generation(1, key, certificate), issued.tokens(),
                clock.instant()));
    }

    private Optional<Duration> refresh(Instant now) {
        Credentials from = current;
        boolean renew = !now.isBefore(from.certificate().renewAfter()) && !now.isBefore(renewalRetryAt);
        KeyPair key = renew ? ConnectorKeys.generate() : null;
        String token = from.tokens().refreshToken();
        if (token.equals(spentRefreshToken)) {
            throw new IllegalStateException("refusing to send a spent refresh token again");
        }
        Log.debugf("connector %s: refreshing tokens%s", from.connectorId(), renew ? " and renewing certificate " + from.certificate().serial() : "");
        Issued issued;
        try {
            issued = identity.refresh(from.connectorId(), from.remoteNetworkId(), token, renew ? Optional.of(ConnectorKeys.csr(key)) : Optional.empty());
        } catch (EnrollmentClient.Refused e) {
            return refuse(e.getMessage(), from.connectorId());
        } catch (EnrollmentClient.Unavailable e) {
            return retry(renew ? "certificate renewal" : "token refresh", from.connectorId(), e.getMessage());
        }
        spentRefreshToken = token;
        CertificateGeneration certificate = from.certificate();
        if (renew) {
            Optional<IssuedCertificate> renewed = issued.certificate().filter(c -> isFor(c, key));
            if (renewed.isPresent()) {
                certificate = generation(certificate.number() + 1, key, renewed.get());
            } else {
                renewalRetryAt = now.plus(backoff.max());
                Log.warnf("connector %s: identity-svc renewed the tokens but issued no certificate for the new key; "
                        + "certificate %s stays in use, renewal again after %s", from.connectorId(), certificate.serial(), renewalRetryAt);
            }
        }
        return store(new Credentials(from.connectorId(), from.remoteNetworkId(), certificate, issued.tokens(), clock.instant()));
    }

    /** Stores {@code fresh} and only then makes it current; on failure keeps it aside and tries storing again later. */
    private Optional<Duration> store(Credentials fresh) {
        try {
            store.save(fresh);
        } catch (IOException | RuntimeException e) {
            answered = fresh;
            unstored = true;
            failures++;
            lastFailure = "cannot store the new credentials in " + store.directory() + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage());
            Duration delay = backoff.delay(failures);
            Log.errorf("connector %s: %s; nothing of them is used and no refresh is sent until they are stored; next try in %d ms",
                    fresh.connectorId(), lastFailure, delay.toMillis());
            return Optional.of(delay);
        }
        answered = null;
        unstored = false;
        failures = 0;
        lastFailure = null;
        Credentials previous = current;
        publish(fresh);
        if (previous == null) {
            Log.infof("connector %s: bootstrapped in remote network %s, certificate %s", fresh.connectorId(), fresh.remoteNetworkId(),
                    fresh.certificate().serial());
        } else if (previous.certificate().number() != fresh.certificate().number()) {
            Log.infof("connector %s: certificate renewed with a new key: %s replaces %s", fresh.connectorId(), fresh.certificate().serial(),
                    previous.certificate().serial());
        } else {
            Log.debugf("connector %s: tokens refreshed, access token until %s", fresh.connectorId(), fresh.tokens().accessTokenExpiresAt());
        }
        Instant now = clock.instant();
        Instant due = nextDue(fresh);
        return Optional.of(now.isBefore(due) ? Duration.between(now, due) : Duration.ZERO);
    }

    private void publish(Credentials credentials) {
        current = credentials;
        phase = Phase.ACTIVE;
        version.incrementAndGet();
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                Log.warnf(e, "connector %s: a credential rotation listener failed", credentials.connectorId());
            }
        }
    }

    private Optional<Duration> retry(String what, String connectorId, String reason) {
        failures++;
        lastFailure = what + " failed: " + reason;
        Duration delay = backoff.delay(failures);
        Log.warnf("%s: %s; next attempt in %d ms", named(connectorId), lastFailure, delay.toMillis());
        return Optional.of(delay);
    }

    private Optional<Duration> refuse(String reason, String connectorId) {
        phase = Phase.REFUSED;
        lastFailure = "identity-svc refused the connector's credentials: " + reason;
        Log.errorf("%s: %s; the connector is not ready and stops rotating: %s", named(connectorId), lastFailure, PROVISION_AGAIN);
        try {
            store.markRevoked();
        } catch (IOException e) {
            Log.warnf("%s: cannot set the refused credentials aside in %s: %s", named(connectorId), store.directory(), e.getMessage());
        }
        return Optional.empty();
    }

    private static String named(String connectorId) {
        return connectorId == null ? "connector" : "connector " + connectorId;
    }

    private static boolean isFor(IssuedCertificate certificate, KeyPair key) {
        return Arrays.equals(certificate.chain().get(0).getPublicKey().getEncoded(), key.getPublic().getEncoded());
    }

    private static CertificateGeneration generation(long number, KeyPair key, IssuedCertificate certificate) {
        return new CertificateGeneration(number, key.getPrivate(), certificate.chain(), certificate.trustAnchors(), certificate.serial(),
                certificate.renewAfter());
    }

    /** The current credentials, or empty before the bootstrap. */
    public Optional<Credentials> current() {
        return Optional.ofNullable(current);
    }

    public Phase phase() {
        return phase;
    }

    /** Increases by one each time new credentials become current (load, bootstrap, refresh, renewal). */
    public long version() {
        return version.get();
    }

    /** Runs {@code listener} on the rotation thread after each change of the current credentials. */
    public void onRotation(Runnable listener) {
        listeners.add(listener);
    }

    /** Why the connector cannot use its credentials now, or empty when it can. Never contains a secret. */
    public Optional<String> problem() {
        Credentials now = current;
        String failure = lastFailure;
        if (phase == Phase.REFUSED) {
            return Optional.of(failure + "; " + PROVISION_AGAIN);
        }
        if (unstored) {
            return Optional.of(failure);
        }
        if (now == null) {
            return Optional.of("waiting for the first credentials from identity-svc" + (failure == null ? "" : " (" + failure + ")"));
        }
        if (!clock.instant().isBefore(now.tokens().accessTokenExpiresAt())) {
            return Optional.of("the access token expired at " + now.tokens().accessTokenExpiresAt() + (failure == null ? "" : " (" + failure + ")"));
        }
        return Optional.empty();
    }
}
