package dev.zerogate.client.login;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * One configuration directory's credentials, shared by every {@code zerogate} process that
 * uses it. Refresh tokens rotate and each is single use, so a refresh happens only under
 * {@link CredentialLock}, and only after re-reading the file inside the lock: a process that
 * waited while another refreshed takes the other's result instead of spending the refresh
 * token a second time (which identity-svc would treat as theft, ending the session).
 */
public final class CredentialStore {

    /** Exchanges a refresh token at identity-svc ({@link IdentityClient} in production). */
    interface TokenRefresher {
        IdentityClient.TokenAnswer refresh(String server, String refreshToken) throws IOException, InterruptedException;
    }

    /**
     * The session is over: identity-svc refused the refresh token (revoked, expired, reused),
     * or the credentials were deleted (logout). Only a new login helps.
     */
    public static final class SessionEndedException extends IOException {
        public SessionEndedException(String message) {
            super(message);
        }
    }

    /** How long before expiry a short command refreshes the access token. */
    public static final Duration COMMAND_MARGIN = Duration.ofSeconds(30);

    private final ConfigDirectory config;
    private final TokenRefresher refresher;
    private final Clock clock;
    private final Duration lockWait;

    CredentialStore(ConfigDirectory config, TokenRefresher refresher, Clock clock, Duration lockWait) {
        this.config = config;
        this.refresher = refresher;
        this.clock = clock;
        this.lockWait = lockWait;
    }

    /** The store of {@code config}, refreshing at the server the credentials name. */
    public static CredentialStore of(ConfigDirectory config) {
        return new CredentialStore(config, (server, token) -> new IdentityClient(server,
                        ClientAccess.of(LoginCredentials.load(config).orElse(null))).refresh(token),
                Clock.systemUTC(), CredentialLock.DEFAULT_WAIT);
    }

    public ConfigDirectory config() {
        return config;
    }

    /** What is on disk now (no lock: the file is replaced atomically, never half-written). */
    public Optional<LoginCredentials> load() throws IOException {
        return LoginCredentials.load(config);
    }

    /** {@code seen}, if its access token is valid for {@code margin} more; otherwise {@link #refresh}. */
    public LoginCredentials fresh(LoginCredentials seen, Duration margin) throws IOException, InterruptedException {
        return seen.validFor(margin, clock.instant()) ? seen : refresh(seen, margin);
    }

    /**
     * New tokens, unless another process has replaced {@code seen} (refreshed, or logged in
     * again) with an access token valid for {@code margin} more: then that one.
     *
     * @throws SessionEndedException when identity-svc refuses the refresh token, or nobody is logged in any more
     * @throws IOException           when identity-svc cannot be reached (the tokens on disk stay as they were)
     */
    LoginCredentials refresh(LoginCredentials seen, Duration margin) throws IOException, InterruptedException {
        return CredentialLock.holding(config, lockWait, () -> {
            LoginCredentials current = load().orElseThrow(() -> new SessionEndedException("you are logged out; log in again: zerogate login"));
            if (!current.refreshToken().equals(seen.refreshToken()) && current.validFor(margin, clock.instant())) {
                return current;
            }
            return exchange(current);
        });
    }

    /** New tokens now, whatever the access token's age (after enrolment: the new token names the device). */
    LoginCredentials refreshNow() throws IOException, InterruptedException {
        return CredentialLock.holding(config, lockWait, () -> exchange(
                load().orElseThrow(() -> new SessionEndedException("you are logged out; log in again: zerogate login"))));
    }

    /** Spends {@code current}'s refresh token; the caller holds the lock. */
    private LoginCredentials exchange(LoginCredentials current) throws IOException, InterruptedException {
        long now = clock.instant().getEpochSecond();
        IdentityClient.TokenAnswer answer = refresher.refresh(current.server(), current.refreshToken());
        if (!answer.ok()) {
            if ("invalid_grant".equals(answer.error())) {
                throw new SessionEndedException("the session has ended (" + answer.errorDescription() + "); log in again: zerogate login");
            }
            throw new IOException("identity-svc refused the refresh: " + answer.error() + " " + answer.errorDescription());
        }
        LoginCredentials refreshed = current.withTokens(answer.accessToken(), answer.refreshToken(), now + answer.expiresIn());
        refreshed.save(config);
        return refreshed;
    }

    /** Saves {@code credentials} (a login, or a remembered policy URL) under the lock. */
    void save(LoginCredentials credentials) throws IOException, InterruptedException {
        CredentialLock.holding(config, lockWait, () -> {
            credentials.save(config);
            return null;
        });
    }

    /**
     * Remembers policy-svc's URL in the saved credentials, keeping whatever tokens are on disk
     * now (another process may have refreshed since {@code seen} was read).
     */
    public void rememberPolicyUrl(String url) throws IOException, InterruptedException {
        CredentialLock.holding(config, lockWait, () -> {
            Optional<LoginCredentials> current = load();
            if (current.isPresent()) {
                current.get().withPolicyUrl(url).save(config);
            }
            return null;
        });
    }

    /** Deletes the credentials under the lock; true if there were any. */
    boolean delete() throws IOException, InterruptedException {
        return CredentialLock.holding(config, lockWait, () -> LoginCredentials.delete(config));
    }
}
