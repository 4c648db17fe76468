package dev.zerogate.connector.credentials;

import dev.zerogate.connector.IdentityStandIn;
import dev.zerogate.connector.client.EnrollmentClient;
import dev.zerogate.connector.credentials.CredentialRotation.BootstrapPair;
import dev.zerogate.testkit.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The rotating key and trust managers in real TLS 1.3 handshakes on loopback: the connector
 * presents its current certificate and accepts device certificates of zerogate's CA only, and one
 * SSLContext keeps working across a renewal.
 */
class ConnectorTlsTest {

    @TempDir
    Path home;

    final MutableClock clock = new MutableClock();
    IdentityStandIn identity;
    EnrollmentClient client;

    @BeforeEach
    void start() throws Exception {
        identity = IdentityStandIn.start(clock);
        identity.lifetimes(Duration.ofMinutes(15), Duration.ofMinutes(30));
        client = new EnrollmentClient(EnrollmentClient.channelTo(URI.create(identity.url()), dev.zerogate.edge.TrustMaterial.systemAnd(java.util.Optional.empty())), Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        identity.close();
    }

    @Test
    void presentsTheCurrentCertificateAndAcceptsOnlyDevicesOfZerogatesCa() throws Exception {
        // The stand-in dates certificates by the test's clock and TLS checks them by the real one:
        // start 25 minutes back, so that both generations are valid now.
        clock.shift(Duration.ofMinutes(-25));
        String[] pair = identity.provision();
        CredentialRotation rotation = new CredentialRotation(new CredentialStore(home.resolve("state")), client, clock,
                new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), new Random(1)), Optional.of(new BootstrapPair(pair[0], pair[1])), "test");
        RotatingKeyManager keys = new RotatingKeyManager();
        RotatingTrustManager trust = new RotatingTrustManager();
        rotation.onRotation(() -> {
            keys.update(rotation.current().orElseThrow().certificate());
            trust.update(rotation.current().orElseThrow().certificate().trustAnchors());
        });
        rotation.start();
        rotation.step();
        SSLContext server = SSLContext.getInstance("TLSv1.3");
        server.init(new javax.net.ssl.KeyManager[] {keys}, new javax.net.ssl.TrustManager[] {trust}, null);

        KeyPair deviceKey = IdentityStandIn.ecKey();
        X509Certificate device = identity.certificate(deviceKey.getPublic(), "CN=device", Instant.now().minusSeconds(60),
                Instant.now().plus(Duration.ofHours(1)), false);
        String first = rotation.current().orElseThrow().certificate().serial();
        assertEquals(first, serialSeenBy(device(deviceKey, device, identity.ca), server));

        // Renewed with a new key: the same context presents the new certificate.
        clock.shift(Duration.ofMinutes(21));
        rotation.step();
        String second = rotation.current().orElseThrow().certificate().serial();
        assertNotEquals(first, second);
        assertEquals(second, serialSeenBy(device(deviceKey, device, identity.ca), server));

        // A device certificate from another CA is refused.
        try (IdentityStandIn stranger = IdentityStandIn.start(clock)) {
            X509Certificate foreign = stranger.certificate(deviceKey.getPublic(), "CN=device", Instant.now().minusSeconds(60),
                    Instant.now().plus(Duration.ofHours(1)), false);
            assertThrows(java.io.IOException.class, () -> serialSeenBy(device(deviceKey, foreign, identity.ca), server));
        }
    }

    /** A device's TLS context: its key and certificate, trusting {@code ca} for the connector. */
    private static SSLContext device(KeyPair key, X509Certificate certificate, X509Certificate ca) throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry("device", key.getPrivate(), new char[0], new Certificate[] {certificate});
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance("PKIX");
        keyManagers.init(keyStore, new char[0]);
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trustStore.setCertificateEntry("zerogate", ca);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance("PKIX");
        trustManagers.init(trustStore);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        return context;
    }

    /** One handshake; the serial of the certificate the device saw, once the connector accepted the device. */
    private static String serialSeenBy(SSLContext device, SSLContext connector) throws Exception {
        try (SSLServerSocket listener = (SSLServerSocket) connector.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setNeedClientAuth(true);
            CompletableFuture<Void> accepted = CompletableFuture.runAsync(() -> {
                try (SSLSocket socket = (SSLSocket) listener.accept()) {
                    socket.startHandshake();
                    socket.getOutputStream().write(1);
                    socket.getOutputStream().flush();
                } catch (Exception e) {
                    // the device side reports the failure
                }
            });
            try (SSLSocket socket = (SSLSocket) device.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                socket.setSoTimeout(5000);
                socket.startHandshake();
                // TLS 1.3 reports a refused client certificate only on the first read.
                if (socket.getInputStream().read() != 1) {
                    throw new SSLException("the connector closed the connection");
                }
                return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT);
            } finally {
                accepted.get(5, TimeUnit.SECONDS);
            }
        }
    }
}
