package dev.zerogate.relay.data;

import dev.zerogate.relay.config.RelayConfig;
import dev.zerogate.tunnel.TunnelProtocol;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.quarkus.logging.Log;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The public port's server TLS context from {@code zerogate.relay.tls.cert}/{@code key}, and its
 * reload: every {@code reload-period} the two files are read and hashed; a changed pair that loads
 * becomes the context of new handshakes (open connections keep the one they started with). A
 * pair that fails to load (a renewal caught half-way, a bad file) keeps the old context and is
 * logged with the reason. Without the files the port is plain and nothing here runs.
 */
@ApplicationScoped
public class ServerTls {

    static final String CERT_VARIABLE = "ZEROGATE_TLS_CERT (zerogate.relay.tls.cert)";
    static final String KEY_VARIABLE = "ZEROGATE_TLS_KEY (zerogate.relay.tls.key)";

    private final Optional<Path> certFile;
    private final Optional<Path> keyFile;
    private final ScheduledExecutorService reloader;
    /** The context new handshakes use; replaced whole by the reloader. */
    private volatile SslContext context;
    /** Hash of the files the current context came from; touched by the reloader thread only (and the constructor). */
    private byte[] loadedHash;
    private volatile byte[] failedHash;

    @Inject
    ServerTls(RelayConfig config) {
        this(config.tls().cert(), config.tls().key(), config.tls().reloadPeriod());
    }

    ServerTls(Optional<Path> certFile, Optional<Path> keyFile, Duration reloadPeriod) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        if (certFile.isPresent() != keyFile.isPresent()) {
            throw new IllegalStateException(certFile.isPresent()
                    ? CERT_VARIABLE + " is set but " + KEY_VARIABLE + " is not; set both for TLS on the public port, or neither"
                    : KEY_VARIABLE + " is set but " + CERT_VARIABLE + " is not; set both for TLS on the public port, or neither");
        }
        if (certFile.isEmpty()) {
            reloader = null;
            return;
        }
        byte[] cert = read(certFile.get(), CERT_VARIABLE);
        byte[] key = read(keyFile.get(), KEY_VARIABLE);
        try {
            context = build(cert, key);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the TLS certificate " + certFile.get() + " and key " + keyFile.get()
                    + " (" + CERT_VARIABLE + ", " + KEY_VARIABLE + ") do not load: " + e.getMessage());
        }
        loadedHash = hash(cert, key);
        long period = Math.max(100, reloadPeriod.toMillis());
        reloader = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "relay-tls-reload");
            thread.setDaemon(true);
            return thread;
        });
        reloader.scheduleWithFixedDelay(this::reloadIfChanged, period, period, TimeUnit.MILLISECONDS);
    }

    /** Whether the public port serves TLS. */
    public boolean enabled() {
        return context != null;
    }

    /** The context for a new handshake; only when {@link #enabled()}. */
    SslContext context() {
        return context;
    }

    @PreDestroy
    void stop() {
        if (reloader != null) {
            reloader.shutdownNow();
        }
    }

    private void reloadIfChanged() {
        byte[] cert;
        byte[] key;
        try {
            cert = Files.readAllBytes(certFile.get());
            key = Files.readAllBytes(keyFile.get());
        } catch (IOException e) {
            Log.warnf("cannot read the TLS files for a reload (%s); new handshakes keep the loaded certificate", e.toString());
            return;
        }
        byte[] now = hash(cert, key);
        if (Arrays.equals(now, loadedHash) || Arrays.equals(now, failedHash)) {
            return;
        }
        try {
            context = build(cert, key);
            loadedHash = now;
            failedHash = null;
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            failedHash = now; // logged once per content, not every period
            Log.warnf("the changed TLS files %s and %s do not load (%s); new handshakes keep the loaded certificate",
                    certFile.get(), keyFile.get(), e.getMessage());
        }
    }

    private SslContext build(byte[] cert, byte[] key) throws GeneralSecurityException, IOException {
        PemKeyPair pair = PemKeyPair.parse(cert, key);
        SslContext built = SslContextBuilder.forServer(pair.key(), pair.chain().toArray(X509Certificate[]::new))
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3", "TLSv1.2")
                // The relay's own ALPN first, so a peer offering it gets it; none agreed is the HTTP path.
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        TunnelProtocol.RELAY_ALPN, ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                .build();
        X509Certificate leaf = pair.chain().get(0);
        Log.infof("public port TLS certificate loaded: %s, valid until %s", leaf.getSubjectX500Principal().getName(),
                leaf.getNotAfter().toInstant());
        return built;
    }

    private static byte[] read(Path file, String variable) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalStateException(variable + " names " + file + ", which cannot be read: " + e);
        }
    }

    private static byte[] hash(byte[] cert, byte[] key) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(cert);
            digest.update((byte) 0);
            digest.update(key);
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
