package dev.zerogate.client.tunnel;

import dev.zerogate.client.login.ClientAccess;
import dev.zerogate.client.login.LoginCredentials;
import dev.zerogate.edge.TrustMaterial;
import dev.zerogate.edge.UrlPolicy;
import dev.zerogate.proto.tunnel.v1.RelayPreamble;
import dev.zerogate.testkit.tls.TestWebPki;
import dev.zerogate.tunnel.RelayKey;
import dev.zerogate.tunnel.Session;
import dev.zerogate.tunnel.TunnelProtocol;
import dev.zerogate.tunnel.netty.RelayDialer;
import dev.zerogate.tunnel.netty.SessionHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client's outer TLS to an https:// relay and its handling of a relay that holds another
 * key, against a small real TLS server on 127.0.0.1 that speaks the relay's side of
 * "Key unknown" ({@link TunnelProtocol}).
 */
class RelayOuterTlsTest {

    @TempDir
    Path dir;
    final NioEventLoopGroup group = new NioEventLoopGroup(1);
    SSLServerSocket server;
    final AtomicReference<String> agreedAlpn = new AtomicReference<>();

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(3, TimeUnit.SECONDS);
    }

    /** A TLS "relay" on 127.0.0.1 holding {@code held}: it reads one preamble and answers key-unknown. */
    int relayHolding(RelayKey held, TestWebPki.ServerCertificate certificate) throws Exception {
        server = (SSLServerSocket) certificate.serverContext().getServerSocketFactory().createServerSocket(0, 10, InetAddress.getByName("127.0.0.1"));
        SSLParameters parameters = server.getSSLParameters();
        parameters.setApplicationProtocols(new String[]{TunnelProtocol.RELAY_ALPN});
        server.setSSLParameters(parameters);
        Thread thread = new Thread(() -> {
            try (SSLSocket socket = (SSLSocket) server.accept()) {
                DataInputStream in = new DataInputStream(socket.getInputStream());
                byte[] header = new byte[TunnelProtocol.PREAMBLE_HEADER_BYTES];
                in.readFully(header);
                agreedAlpn.set(socket.getApplicationProtocol());
                int sealed = ((header[header.length - 2] & 0xff) << 8) | (header[header.length - 1] & 0xff);
                in.readFully(new byte[sealed]);
                OutputStream out = socket.getOutputStream();
                out.write(new byte[]{0, 0});
                out.write(held.keyId());
                out.flush();
            } catch (Exception e) {
                // The client refused the handshake: nothing to answer.
            }
        }, "test-relay");
        thread.setDaemon(true);
        thread.start();
        return server.getLocalPort();
    }

    RelayChoice.Relay published(int port, RelayKey key, TrustMaterial trust) throws Exception {
        LoginCredentials saved = new LoginCredentials("https://127.0.0.1", "a.b.c", "r", 0, "https://127.0.0.1",
                List.of(new LoginCredentials.SavedRelay("https://127.0.0.1:" + port, key.publicText())), null, false);
        return RelayChoice.of(saved, null, null, new ClientAccess(trust, UrlPolicy.STRICT)).published().get(0);
    }

    Throwable dial(RelayChoice.Relay relay) {
        ExecutionException failure = assertThrows(ExecutionException.class, () -> RelayDialer.dial(group, new RelayDialer.Plan(
                relay.address(), relay.key(), sealer -> RelayPreamble.newBuilder().setSentAtUnixMs(1).build(), answer -> null,
                Session.Role.CLIENT, new SessionHandler.Owner() {
                }, relay.outerTls())).get(10, TimeUnit.SECONDS));
        return failure.getCause();
    }

    @Test
    void refusesARelayHoldingAnotherKeyNamingBothKeyIdsOverTheOuterTls() throws Exception {
        TestWebPki ca = new TestWebPki("private CA");
        RelayKey publishedKey = RelayKey.generate();
        RelayKey heldKey = RelayKey.generate();
        int port = relayHolding(heldKey, ca.issue("127.0.0.1"));
        RelayChoice.Relay relay = published(port, publishedKey, TrustMaterial.systemAnd(java.util.Optional.of(ca.writePem(dir.resolve("ca.pem")))));
        Throwable cause = dial(relay);
        RelayDialer.RelayKeyUnknownException unknown = assertInstanceOf(RelayDialer.RelayKeyUnknownException.class, cause);
        assertEquals(TunnelProtocol.RELAY_ALPN, agreedAlpn.get());
        String message = TunnelClient.describeRelayFailure(relay, unknown);
        assertTrue(message.contains("published preamble key " + publishedKey.keyIdText()), message);
        assertTrue(message.contains("holds key " + heldKey.keyIdText()), message);
        assertTrue(message.contains("not the relay the control plane published") && message.contains("ZEROGATE_PUBLIC_RELAYS"), message);
    }

    @Test
    void refusesARelayWhoseCertificateIsForAnotherNameSayingSo() throws Exception {
        TestWebPki ca = new TestWebPki("private CA");
        RelayKey key = RelayKey.generate();
        int port = relayHolding(key, ca.issue("relay.example.com"));
        RelayChoice.Relay relay = published(port, key, TrustMaterial.systemAnd(java.util.Optional.of(ca.writePem(dir.resolve("ca.pem")))));
        String message = TunnelClient.describeRelayFailure(relay, dial(relay));
        assertTrue(message.contains("the certificate of 127.0.0.1 is for relay.example.com"), message);
    }

    @Test
    void refusesARelayWhoseCertificateNoTrustedCaSigned() throws Exception {
        TestWebPki ca = new TestWebPki("private CA");
        RelayKey key = RelayKey.generate();
        int port = relayHolding(key, ca.issue("127.0.0.1"));
        RelayChoice.Relay relay = published(port, key, TrustMaterial.systemAnd(java.util.Optional.empty()));
        String message = TunnelClient.describeRelayFailure(relay, dial(relay));
        assertTrue(message.contains("not signed by a CA this machine trusts; for a private CA set ZEROGATE_CA_FILE"), message);
    }
}
