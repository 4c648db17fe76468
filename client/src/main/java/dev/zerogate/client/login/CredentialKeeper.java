package dev.zerogate.client.login;

import dev.zerogate.client.cli.CliErrors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Keeps a running tunnel ({@code connect}, {@code forward}, {@code up}) logged in for as long as
 * it runs: the access token is refreshed ahead of expiry ({@link RefreshSchedule}) and the
 * device certificate renewed at two thirds of its life, both through the shared
 * {@link CredentialStore} and under {@link CredentialLock}, so other zerogate processes of the
 * same configuration directory may refresh too without ever spending a refresh token twice.
 *
 * <p>Deadlines are checked against the wall clock once a second instead of being scheduled
 * as delays: a delay is measured on the monotonic clock, which stops while a laptop sleeps,
 * and a token due for refresh during an hour of sleep must be refreshed at once on waking.
 *
 * <p>When the session truly ends (identity-svc refuses the refresh token, the device is
 * revoked, or the person logged out), the keeper says so once through {@code notices} and
 * refuses new flows with the reason; open flows are the policy's to end. It then watches the
 * credentials file: a new {@code zerogate login} in another terminal brings the tunnel back.
 */
public final class CredentialKeeper implements AutoCloseable {

    /** Renews the device certificate at identity-svc and saves it; called holding the lock. */
    public interface CertificateRenewer {
        DeviceCertificate renew(String accessToken) throws Exception;
    }

    /** What {@code zerogate status} shows of a running tunnel's credentials. */
    public record Snapshot(Instant accessTokenExpiresAt, Instant lastRefreshedAt, Instant nextRefreshAt,
                           Instant certificateExpiresAt, Instant certificateRenewAt, String ended) {
    }

    /** A new flow needs an access token valid at least this much longer; an older one is refreshed on the spot. */
    static final Duration FLOW_MARGIN = Duration.ofSeconds(5);
    static final Duration TICK = Duration.ofSeconds(1);

    private final CredentialStore store;
    private final CertificateRenewer renewer;
    private final Clock clock;
    private final RandomGenerator random;
    private final Consumer<String> notices;
    private ScheduledExecutorService ticker;
    /** One refresh or renewal at a time in this process; the store's file lock orders processes. */
    private final Object renewing = new Object();

    private volatile LoginCredentials current;
    private volatile Instant refreshAt;
    private volatile Instant lastRefreshedAt;
    private volatile DeviceCertificate certificate;
    private volatile Instant renewAt;
    /** The reason, once the session has ended; null while it lives. */
    private volatile String ended;
    /** The refresh token identity-svc refused: a file still holding it holds no new login. */
    private volatile String endedRefreshToken;
    // Guarded by renewing.
    private int refreshFailures;
    private Instant refreshRetryAt = Instant.MIN;
    private int renewFailures;
    private Instant renewRetryAt = Instant.MIN;

    public CredentialKeeper(CredentialStore store, LoginCredentials start, DeviceCertificate certificate, CertificateRenewer renewer,
                            Clock clock, RandomGenerator random, Consumer<String> notices) {
        this.store = store;
        this.renewer = renewer;
        this.clock = clock;
        this.random = random;
        this.notices = notices;
        adopt(start);
        adopt(certificate);
    }

    /** Starts checking the deadlines once a second, on a daemon thread of its own. */
    public void start() {
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "zerogate-credentials");
            thread.setDaemon(true);
            return thread;
        });
        ticker.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The access token as it is now, for a call's header; {@link #usableAccessToken} first makes sure it is alive. */
    public String accessToken() {
        return current.accessToken();
    }

    /** The device the current login's tokens name (policy-svc requires exactly it). */
    public String deviceId() throws IOException {
        return AccessTokenView.decode(current.accessToken()).deviceId();
    }

    public DeviceCertificate certificate() {
        return certificate;
    }

    /**
     * An access token for a new flow, valid for {@link #FLOW_MARGIN} more: refreshed now if the
     * schedule has not done it (after a sleep, or while identity-svc was away).
     *
     * @throws CredentialStore.SessionEndedException when the session is over (the reason is the message)
     * @throws IOException                           when identity-svc cannot be reached and the token has run out
     */
    public String usableAccessToken() throws IOException, InterruptedException {
        if (ended != null) {
            resumeIfLoggedInAgain();
            String reason = ended;
            if (reason != null) {
                throw new CredentialStore.SessionEndedException(reason);
            }
        }
        LoginCredentials seen = current;
        if (seen.validFor(FLOW_MARGIN, clock.instant())) {
            return seen.accessToken();
        }
        synchronized (renewing) {
            seen = current;
            if (seen.validFor(FLOW_MARGIN, clock.instant())) {
                return seen.accessToken();
            }
            try {
                adopt(store.refresh(seen, FLOW_MARGIN));
                return current.accessToken();
            } catch (CredentialStore.SessionEndedException e) {
                end(e.getMessage(), seen.refreshToken());
                throw e;
            }
        }
    }

    /** Marks the session over before the first tick (a tunnel started with a session that had already ended). */
    public void startEnded(String reason) {
        end(reason, current.refreshToken());
    }

    public Snapshot snapshot() {
        return new Snapshot(Instant.ofEpochSecond(current.accessTokenExpiresAt()), lastRefreshedAt, refreshAt,
                certificate.notAfter(), renewAt, ended);
    }

    /** One look at the deadlines; package-visible so that tests drive it with their own clock. */
    void tick() {
        try {
            if (ended != null) {
                resumeIfLoggedInAgain();
                return;
            }
            synchronized (renewing) {
                Instant now = clock.instant();
                if (!now.isBefore(refreshAt) && !now.isBefore(refreshRetryAt)) {
                    refreshOnSchedule(now);
                }
                if (ended == null && !now.isBefore(renewAt) && !now.isBefore(renewRetryAt)) {
                    renewOnSchedule(now);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // The ticker must survive anything, or the tunnel stops renewing silently.
            notices.accept("keeping the login alive failed: " + e + "; retrying");
        }
    }

    private void refreshOnSchedule(Instant now) throws InterruptedException {
        LoginCredentials seen = current;
        try {
            // Another process's refresh counts if it left at least half a lifetime.
            adopt(store.refresh(seen, halfLifetime(seen)));
            refreshFailures = 0;
        } catch (CredentialStore.SessionEndedException e) {
            end(e.getMessage(), seen.refreshToken());
        } catch (IOException e) {
            refreshFailures++;
            refreshRetryAt = now.plus(RefreshSchedule.retryAfter(refreshFailures, random.nextDouble()));
            if (refreshFailures == 1) {
                notices.accept("cannot refresh the access token now (" + CliErrors.oneLine(e.getMessage()) + "); retrying");
            }
        }
    }

    private void renewOnSchedule(Instant now) throws InterruptedException {
        DeviceCertificate seen = certificate;
        try {
            DeviceCertificate renewed = CredentialLock.holding(store.config(), CredentialLock.DEFAULT_WAIT, () -> {
                DeviceCertificate onDisk = DeviceCertificate.load(store.config());
                if (onDisk.notAfter().isAfter(seen.notAfter())) {
                    return onDisk; // renewed by another process, or by a new login
                }
                try {
                    return renewer.renew(usableAccessToken());
                } catch (IOException | InterruptedException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException(e.getMessage(), e);
                }
            });
            adopt(renewed);
            renewFailures = 0;
        } catch (CredentialStore.SessionEndedException e) {
            end(e.getMessage(), current.refreshToken());
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            if (code == Status.Code.PERMISSION_DENIED || code == Status.Code.NOT_FOUND) {
                end("the device certificate cannot be renewed (" + e.getStatus().getDescription() + "); log in again: zerogate login",
                        current.refreshToken());
            } else {
                renewFailedFor(now, code + " " + e.getStatus().getDescription());
            }
        } catch (IOException e) {
            renewFailedFor(now, CliErrors.oneLine(e.getMessage()));
        }
    }

    private void renewFailedFor(Instant now, String why) {
        renewFailures++;
        renewRetryAt = now.plus(RefreshSchedule.retryAfter(renewFailures, random.nextDouble()));
        if (renewFailures == 1) {
            notices.accept("cannot renew the device certificate now (" + why + "); retrying");
        }
    }

    private void resumeIfLoggedInAgain() {
        try {
            var onDisk = store.load();
            if (onDisk.isEmpty() || onDisk.get().refreshToken().equals(endedRefreshToken)) {
                return;
            }
            synchronized (renewing) {
                adopt(onDisk.get());
                adopt(DeviceCertificate.load(store.config()));
                refreshFailures = 0;
                renewFailures = 0;
                refreshRetryAt = Instant.MIN;
                renewRetryAt = Instant.MIN;
                endedRefreshToken = null;
                ended = null;
            }
            notices.accept("a new login was found; opening flows again");
        } catch (IOException e) {
            // Half a login (no certificate yet): look again at the next tick.
        }
    }

    private void end(String reason, String refusedRefreshToken) {
        if (ended != null) {
            return;
        }
        endedRefreshToken = refusedRefreshToken;
        ended = reason;
        notices.accept(reason + " New flows are refused until you log in again.");
    }

    private void adopt(LoginCredentials credentials) {
        current = credentials;
        lastRefreshedAt = clock.instant();
        Instant expiresAt = Instant.ofEpochSecond(credentials.accessTokenExpiresAt());
        Instant issuedAt;
        try {
            issuedAt = AccessTokenView.decode(credentials.accessToken()).issuedAt();
        } catch (IOException | RuntimeException e) {
            issuedAt = expiresAt.minus(Duration.ofMinutes(10));
        }
        if (!issuedAt.isBefore(expiresAt)) {
            issuedAt = expiresAt.minus(Duration.ofMinutes(10));
        }
        refreshAt = RefreshSchedule.refreshAt(issuedAt, expiresAt, random.nextDouble());
    }

    private void adopt(DeviceCertificate renewed) {
        certificate = renewed;
        renewAt = RefreshSchedule.renewAt(renewed.notBefore(), renewed.notAfter(), random.nextDouble());
    }

    private Duration halfLifetime(LoginCredentials credentials) {
        Instant expiresAt = Instant.ofEpochSecond(credentials.accessTokenExpiresAt());
        Duration lifetime = Duration.between(lastRefreshedAt == null ? clock.instant() : lastRefreshedAt, expiresAt);
        return lifetime.isNegative() ? FLOW_MARGIN : lifetime.dividedBy(2);
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
    }
}
