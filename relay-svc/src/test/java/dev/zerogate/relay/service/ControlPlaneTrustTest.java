package dev.zerogate.relay.service;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.zerogate.relay.data.TestPki;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay's outgoing https to the control plane against real TLS servers whose certificate a
 * deployment CA issued: gRPC (policy-svc's calls, through {@link GrpcChannels}) and HTTP (the
 * JWKS fetch's JDK client). With {@code ZEROGATE_CA_FILE} they work; without it they fail.
 */
class ControlPlaneTrustTest {

    @TempDir
    Path dir;

    private TestPki pki;
    private TestPki.Leaf leaf;
    private Server grpc;
    private HttpsServer https;

    @BeforeEach
    void servers() throws Exception {
        pki = new TestPki("deployment CA");
        leaf = pki.leaf("policy.internal");
        pki.write(leaf, dir);
        pki.writeCa(dir.resolve("ca.pem"));
        grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0),
                        TlsServerCredentials.create(dir.resolve("fullchain.pem").toFile(), dir.resolve("privkey.pem").toFile()))
                .addService(new HealthStatusManager().getHealthService()).build().start();

        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("leaf", leaf.key().getPrivate(), new char[0], new Certificate[]{leaf.certificate(), pki.ca()});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(keys.getKeyManagers(), null, null);
        https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(server));
        https.createContext("/oauth2/jwks", exchange -> {
            byte[] body = "{\"keys\":[]}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        https.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        https.stop(0);
    }

    private HealthCheckResponse.ServingStatus healthOver(ControlPlaneTrust trust) throws InterruptedException {
        ManagedChannel channel = GrpcChannels.forUrl("https://localhost:" + grpc.getPort(), trust);
        try {
            return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private HttpResponse<String> jwksOver(ControlPlaneTrust trust) throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(trust.sslContext()).build();
        return http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + https.getAddress().getPort() + "/oauth2/jwks")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void grpcAndHttpsToTheControlPlaneTrustTheDeploymentCaOfTheCaFile() throws Exception {
        ControlPlaneTrust trust = new ControlPlaneTrust(Optional.of(dir.resolve("ca.pem")));
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, healthOver(trust));
        assertEquals("{\"keys\":[]}", jwksOver(trust).body());
    }

    @Test
    void withoutTheCaFileTheDeploymentsCertificateIsRefused() {
        ControlPlaneTrust systemOnly = new ControlPlaneTrust(Optional.empty());
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> healthOver(systemOnly));
        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
        assertThrows(SSLHandshakeException.class, () -> jwksOver(systemOnly));
    }

    @Test
    void theCaFileAddsToTheSystemCasRatherThanReplacingThem() {
        ControlPlaneTrust trust = new ControlPlaneTrust(Optional.of(dir.resolve("ca.pem")));
        ControlPlaneTrust systemOnly = new ControlPlaneTrust(Optional.empty());
        assertEquals(systemOnly.trustManager().getAcceptedIssuers().length + 1, trust.trustManager().getAcceptedIssuers().length);
    }

    @Test
    void anUnreadableOrEmptyCaFileIsAStartUpErrorNamingIt() throws Exception {
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> new ControlPlaneTrust(Optional.of(dir.resolve("absent.pem"))));
        assertTrue(missing.getMessage().startsWith("ZEROGATE_CA_FILE") && missing.getMessage().contains("absent.pem"), missing.getMessage());
        Files.writeString(dir.resolve("empty.pem"), "");
        IllegalStateException empty = assertThrows(IllegalStateException.class,
                () -> new ControlPlaneTrust(Optional.of(dir.resolve("empty.pem"))));
        assertTrue(empty.getMessage().startsWith("ZEROGATE_CA_FILE"), empty.getMessage());
    }
}
