package dev.zerogate.servicekit.edge;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * Picks up renewed PEM files (certbot renew) on the public port: every
 * {@code ZEROGATE_TLS_RELOAD_PERIOD} it hashes the two files and, when they changed and have
 * stopped changing, reloads the TLS registry entry {@value EdgeSettings#TLS_CONFIGURATION} and
 * fires {@link CertificateUpdatedEvent}, on which Quarkus's HTTP server swaps its SSL options:
 * new handshakes get the new certificate, open connections keep theirs.
 *
 * <p>Not the registry's own {@code reload-period}: that pushes the options every period whether
 * or not anything changed, and Vert.x 4.5 drops a connection that arrives while an update is
 * under way. Here that window opens once per renewal. Idle where the entry does not exist (a
 * service without TLS, or one that does not register {@link EdgeConfigSourceFactory}).
 */
@ApplicationScoped
public class EdgeCertificateReloader {

    private static final Logger LOG = Logger.getLogger(EdgeCertificateReloader.class);
    /** How long changed files must stay the same before they are loaded (a renewal writes two files). */
    private static final Duration SETTLE = Duration.ofMillis(300);

    private final Instance<TlsConfigurationRegistry> registries;
    private TlsConfigurationRegistry registry;
    private final Event<CertificateUpdatedEvent> updated;
    private final Vertx vertx;
    private Path cert;
    private Path key;
    /** The hash of the files last loaded; guarded by {@code this}. */
    private byte[] loaded;

    EdgeCertificateReloader(Instance<TlsConfigurationRegistry> registries, Event<CertificateUpdatedEvent> updated, Vertx vertx) {
        this.registries = registries;
        this.updated = updated;
        this.vertx = vertx;
    }

    void onStart(@Observes StartupEvent event) {
        if (!registries.isResolvable() || registries.get().get(EdgeSettings.TLS_CONFIGURATION).isEmpty()) {
            return;
        }
        registry = registries.get();
        var config = ConfigProvider.getConfig();
        cert = Path.of(config.getValue(EdgeSettings.TLS_CERT, String.class).trim());
        key = Path.of(config.getValue(EdgeSettings.TLS_KEY, String.class).trim());
        Duration period = config.getOptionalValue(EdgeSettings.TLS_RELOAD_PERIOD, Duration.class)
                .orElse(Duration.ofMinutes(1));
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException(EdgeSettings.variable(EdgeSettings.TLS_RELOAD_PERIOD) + " must be positive, was " + period);
        }
        synchronized (this) {
            loaded = fingerprint().orElse(null);
        }
        vertx.setPeriodic(period.toMillis(), id -> vertx.executeBlocking(() -> {
            check();
            return null;
        }, false));
        LOG.infof("TLS on the public port from %s and %s, files checked every %s", cert, key, period);
    }

    /** Reloads when the files changed; public for tests that do not want to wait a period. */
    public synchronized void check() throws InterruptedException {
        Optional<byte[]> now = fingerprint();
        if (now.isEmpty() || Arrays.equals(now.get(), loaded)) {
            return;
        }
        Thread.sleep(SETTLE.toMillis());
        if (!Arrays.equals(now.get(), fingerprint().orElse(null))) {
            return; // still being written: next period
        }
        TlsConfiguration configuration = registry.get(EdgeSettings.TLS_CONFIGURATION).orElseThrow();
        if (!configuration.reload()) {
            LOG.warnf("%s or %s changed but cannot be loaded; new connections keep the previous certificate", cert, key);
            return;
        }
        loaded = now.get();
        updated.fire(new CertificateUpdatedEvent(EdgeSettings.TLS_CONFIGURATION, configuration));
        LOG.infof("TLS certificate reloaded from %s", cert);
    }

    private Optional<byte[]> fingerprint() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(Files.readAllBytes(cert));
            digest.update((byte) 0);
            digest.update(Files.readAllBytes(key));
            return Optional.of(digest.digest());
        } catch (IOException e) {
            LOG.warnf("cannot read the TLS files (%s); keeping the loaded certificate", e.getMessage());
            return Optional.empty();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
