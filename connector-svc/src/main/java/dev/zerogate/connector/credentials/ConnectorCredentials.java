package dev.zerogate.connector.credentials;

import dev.zerogate.connector.client.EnrollmentClient;
import dev.zerogate.connector.config.ConnectorConfig;
import dev.zerogate.connector.config.ControlPlane;
import dev.zerogate.connector.config.ControlPlaneConfig;
import dev.zerogate.connector.credentials.CredentialRotation.BootstrapPair;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The connector's identity towards the rest of zerogate: its ids, its current access token, its
 * key and certificate, and zerogate's trust anchors. At start it loads them from the state
 * directory, or bootstraps with {@code ZEROGATE_ACCESS_TOKEN}/{@code ZEROGATE_REFRESH_TOKEN}
 * (stored credentials win: the pair works once); without either the start fails. From then on a
 * thread of its own refreshes the tokens and renews the certificate ({@link CredentialRotation}
 * says how and what it guarantees).
 *
 * <p>Users read the accessors when they need a value (they always give the current one), or keep
 * {@link #keyManager()} / {@link #trustManager()} (or an {@link #sslContext()}) which follow the
 * rotation by themselves, and may listen with {@link #onRotation(Runnable)}.
 */
@ApplicationScoped
public class ConnectorCredentials {

    private final ControlPlaneConfig config;
    private final Path stateDir;
    private final String softwareVersion;
    private final RotatingKeyManager keyManager = new RotatingKeyManager();
    private final RotatingTrustManager trustManager = new RotatingTrustManager();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    // Set once at start, before the rotation thread exists; read from any thread after.
    private volatile ControlPlane controlPlane;
    private volatile CredentialRotation rotation;
    private EnrollmentClient identity;
    private ScheduledExecutorService thread;

    ConnectorCredentials(ControlPlaneConfig config, ConnectorConfig connector,
                         @ConfigProperty(name = "quarkus.application.version") String softwareVersion) {
        this.config = config;
        this.stateDir = connector.stateDir();
        this.softwareVersion = softwareVersion;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            Log.warn("connector: control plane disabled (zerogate.connector.control-plane.enabled=false): no credentials, nothing dialled");
            return;
        }
        String url = config.url().filter(value -> !value.isBlank()).orElseThrow(() -> new IllegalStateException(
                "ZEROGATE_URL is not set: give the connector identity-svc's URL, e.g. ZEROGATE_URL=https://zg.example.com"));
        try {
            // Checked before anything is sent: no http:// off loopback unless ZEROGATE_INSECURE_HTTP=true.
            controlPlane = ControlPlane.configure(url, config.policyUrl(), config.relays(), config.caFile().filter(v -> !v.isBlank()),
                    config.insecureHttp());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        Optional<BootstrapPair> pair = bootstrapPair();
        identity = new EnrollmentClient(EnrollmentClient.channelTo(controlPlane.identity(), controlPlane.trust()), config.callTimeout());
        CredentialRotation created = new CredentialRotation(new CredentialStore(stateDir), identity, Clock.systemUTC(), Backoff.standard(),
                pair, softwareVersion);
        created.onRotation(this::rotated);
        rotation = created;
        created.start();
        Log.infof("connector: control plane %s%s%s", controlPlane.identity(),
                controlPlane.policyOverride().map(policy -> ", policy-svc overridden: " + policy).orElse(""),
                controlPlane.relayOverrides().isEmpty() ? "" : ", relays limited to " + controlPlane.relayOverrides());
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread worker = new Thread(task, "zerogate-credentials");
            worker.setDaemon(true);
            return worker;
        });
        // At shutdown a step under way finishes; steps not yet due are dropped.
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        thread = executor;
        // The first step (the bootstrap, or a refresh that came due while the connector was down)
        // runs before the start completes, so a connector whose identity-svc answers is ready at
        // once; if it does not answer, the thread keeps trying and the start goes on.
        try {
            thread.submit(this::step).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the first credential step failed", e.getCause());
        }
    }

    private Optional<BootstrapPair> bootstrapPair() {
        Optional<String> access = config.accessToken().filter(value -> !value.isBlank());
        Optional<String> refresh = config.refreshToken().filter(value -> !value.isBlank());
        if (access.isPresent() != refresh.isPresent()) {
            throw new IllegalStateException("set both ZEROGATE_ACCESS_TOKEN and ZEROGATE_REFRESH_TOKEN (the bootstrap pair), or neither");
        }
        return access.map(token -> new BootstrapPair(token.strip(), refresh.get().strip()));
    }

    private void step() {
        Optional<Duration> next;
        try {
            next = rotation.step();
        } catch (RuntimeException e) {
            Log.errorf(e, "connector: credential rotation failed unexpectedly; next attempt in a minute");
            next = Optional.of(Duration.ofMinutes(1));
        }
        next.ifPresent(delay -> {
            try {
                thread.schedule(this::step, delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // shutting down
            }
        });
    }

    private void rotated() {
        CredentialRotation now = rotation;
        now.current().ifPresent(credentials -> {
            keyManager.update(credentials.certificate());
            trustManager.update(credentials.certificate().trustAnchors());
        });
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                Log.warn("connector: a credential rotation listener failed", e);
            }
        }
    }

    /** Lets a call to identity-svc in flight finish, so that an answer it brings is stored, then stops. */
    void onStop(@Observes ShutdownEvent event) {
        if (thread != null) {
            thread.shutdown();
            try {
                if (!thread.awaitTermination(config.callTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                    thread.shutdownNow();
                }
            } catch (InterruptedException e) {
                thread.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        if (identity != null) {
            identity.close();
        }
    }

    /** False only when the control plane is disabled (the local run); then no accessor works. */
    public boolean enabled() {
        return config.enabled();
    }

    /** The control plane's addresses. */
    public ControlPlane controlPlane() {
        ControlPlane addresses = controlPlane;
        if (addresses == null) {
            throw new IllegalStateException("the control plane is disabled");
        }
        return addresses;
    }

    /** The current credentials, or empty before the bootstrap (or with the control plane disabled). */
    public Optional<Credentials> current() {
        CredentialRotation now = rotation;
        return now == null ? Optional.empty() : now.current();
    }

    private Credentials credentials() {
        return current().orElseThrow(() -> new IllegalStateException("the connector has no credentials yet"));
    }

    public String connectorId() {
        return credentials().connectorId();
    }

    public String remoteNetworkId() {
        return credentials().remoteNetworkId();
    }

    /** The current access token, for {@code authorization: Bearer}. Never log it. */
    public String accessToken() {
        return credentials().tokens().accessToken();
    }

    public PrivateKey privateKey() {
        return credentials().certificate().privateKey();
    }

    /** Leaf first. */
    public X509Certificate[] certificateChain() {
        return credentials().certificate().chain().toArray(X509Certificate[]::new);
    }

    public X509Certificate[] trustAnchors() {
        return credentials().certificate().trustAnchors().toArray(X509Certificate[]::new);
    }

    /** Presents the current certificate, whatever the generation. */
    public RotatingKeyManager keyManager() {
        return keyManager;
    }

    /** Accepts certificates of zerogate's CA, by the current trust anchors. */
    public RotatingTrustManager trustManager() {
        return trustManager;
    }

    /** A TLS 1.3 context with {@link #keyManager()} and {@link #trustManager()}: it follows every rotation. */
    public SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(new KeyManager[] {keyManager}, new TrustManager[] {trustManager}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no TLS 1.3", e);
        }
    }

    /** Increases by one each time the credentials change; 0 before the first. */
    public long version() {
        CredentialRotation now = rotation;
        return now == null ? 0 : now.version();
    }

    /** Runs {@code listener} on the rotation thread after each change of the credentials. */
    public void onRotation(Runnable listener) {
        listeners.add(listener);
    }

    /** Why the connector cannot use its credentials now, or empty when it can (or the control plane is disabled). */
    public Optional<String> problem() {
        CredentialRotation now = rotation;
        if (!config.enabled()) {
            return Optional.empty();
        }
        return now == null ? Optional.of("not started") : now.problem();
    }
}
