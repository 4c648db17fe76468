package dev.zerogate.connector.credentials;

import dev.zerogate.connector.IdentityStandIn;
import dev.zerogate.connector.StateDirectory;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service with its control plane pointed at the identity stand-in: it bootstraps during its
 * start, serves the credentials to other beans and its rotation thread refreshes them on time.
 */
@QuarkusTest
@WithTestResource(IdentityStandIn.Resource.class)
class ConnectorCredentialsTest {

    @Inject
    ConnectorCredentials credentials;

    @Inject
    StateDirectory stateDirectory;

    final IdentityStandIn identity = IdentityStandIn.Resource.instance();

    @Test
    void bootstrapsDuringTheStartAndIsReadyWithItsCertificate() throws Exception {
        assertEquals(1, identity.bootstrapCalls());
        assertEquals(identity.connectorId, credentials.connectorId());
        assertEquals(identity.remoteNetworkId, credentials.remoteNetworkId());
        assertTrue(CredentialStore.keyMatches(credentials.privateKey(), credentials.certificateChain()[0]));
        assertArrayEquals(new Object[] {identity.ca}, credentials.trustAnchors());
        assertEquals("http://127.0.0.1:" + java.net.URI.create(identity.url()).getPort(), credentials.controlPlane().identity().toString());
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("checks.find { it.name == 'credentials' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'credentials' }.data.connector", equalTo(identity.connectorId));
        for (String file : List.of("credentials.json", "connector-1.key", "connector-1.crt", "trust-anchors-1.pem")) {
            assertTrue(Files.exists(stateDirectory.path().resolve(file)), file);
        }
    }

    @Test
    void theRotationThreadRefreshesBeforeExpiryAndTheKeyManagerFollows() throws Exception {
        // The stand-in's access tokens live 15 s: the refresh comes 10 s after the last one.
        AtomicInteger heard = new AtomicInteger();
        credentials.onRotation(heard::incrementAndGet);
        long version = credentials.version();
        String before = credentials.current().orElseThrow().tokens().refreshToken();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(25));
        while (credentials.version() == version && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertTrue(credentials.version() > version, "no refresh within 25 s");
        assertTrue(heard.get() >= 1);
        assertTrue(identity.refreshTokensSpent().contains(before));
        assertEquals(1, identity.refreshTokensSpent().stream().filter(before::equals).count());
        JsonObject stored = new JsonObject(Files.readString(stateDirectory.path().resolve("credentials.json"), StandardCharsets.UTF_8));
        assertEquals(credentials.current().orElseThrow().tokens().refreshToken(), stored.getString("refresh_token"));
        assertEquals(credentials.accessToken(), stored.getString("access_token"));
        assertFalse(identity.revoked());
        String alias = credentials.keyManager().chooseServerAlias("EC", null, null);
        assertArrayEquals(credentials.certificateChain(), credentials.keyManager().getCertificateChain(alias));
        assertEquals(credentials.privateKey(), credentials.keyManager().getPrivateKey(alias));
    }

    @Test
    void credentialFilesAreOwnerOnly() throws Exception {
        Path dir = stateDirectory.path();
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file.toString());
            }
        }
    }

    @Test
    void logLevelComesFromZerogateLogLevelWithInfoByDefault() {
        assertEquals("INFO", ConfigProvider.getConfig().getValue("quarkus.log.level", String.class));
        assertEquals(java.util.logging.Level.INFO, java.util.logging.Logger.getLogger("").getLevel());
    }
}
