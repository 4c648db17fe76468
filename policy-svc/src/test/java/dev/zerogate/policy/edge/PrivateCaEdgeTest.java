package dev.zerogate.policy.edge;

import dev.zerogate.testkit.PostgresTestResource;
import dev.zerogate.testkit.identity.TestIdentity;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * policy-svc in a private-CA deployment: it serves its one port over TLS from PEM files, and it
 * verifies access tokens against an identity issuer whose JWKS is served over https by a
 * certificate of that CA, which it trusts only through {@code ZEROGATE_CA_FILE}.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "zerogate_policy"))
@TestProfile(PrivateCaEdgeProfile.class)
class PrivateCaEdgeTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @AfterAll
    static void stopFront() {
        PrivateCaEdgeProfile.IDENTITY.stop();
    }

    private HttpResponse<String> listNetworks(String authorization) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(PrivateCaEdgeProfile.FILES.clientContext()).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/api/v1/remote-networks"));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void verifiesTokensAgainstAnIssuerServedOverTlsByThePrivateCa() throws Exception {
        String admin = "Bearer " + TestIdentity.instance().token(TestIdentity.Claims.user(UUID.randomUUID().toString(), "admins"));
        HttpResponse<String> answer = listNetworks(admin);
        assertEquals(200, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains("remote_networks") || answer.body().startsWith("{"), answer.body());
    }

    @Test
    void stillRefusesCallersWithoutAToken() throws Exception {
        assertEquals(401, listNetworks(null).statusCode());
    }

    @Test
    void servesGrpcOverTlsOnItsOnePort() throws Exception {
        KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
        anchors.load(null, null);
        try (InputStream in = Files.newInputStream(PrivateCaEdgeProfile.FILES.caFile())) {
            anchors.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(anchors);
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port,
                TlsChannelCredentials.newBuilder().trustManager((X509TrustManager) factory.getTrustManagers()[0]).build()).build();
        try {
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus());
        } finally {
            channel.shutdownNow();
        }
    }
}
