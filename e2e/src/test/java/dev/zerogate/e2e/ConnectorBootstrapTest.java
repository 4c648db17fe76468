package dev.zerogate.e2e;

import dev.zerogate.runkit.EmbeddedPostgresServer;
import dev.zerogate.proto.connector.v1.ConnectorStatusServiceGrpc;
import dev.zerogate.proto.connector.v1.GetStatusRequest;
import dev.zerogate.proto.identity.v1.ConnectorCredentialState;
import dev.zerogate.proto.identity.v1.ConnectorIdentity;
import dev.zerogate.proto.identity.v1.CreateConnectorRequest;
import dev.zerogate.proto.identity.v1.CreateConnectorResponse;
import dev.zerogate.proto.identity.v1.IdentityAdminServiceGrpc;
import dev.zerogate.proto.identity.v1.IdentityAdminServiceGrpc.IdentityAdminServiceBlockingStub;
import dev.zerogate.proto.identity.v1.ListConnectorsRequest;
import dev.zerogate.proto.identity.v1.RevokeConnectorRequest;
import dev.zerogate.testkit.FreePorts;
import dev.zerogate.testkit.GrpcProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;

import static dev.zerogate.e2e.IdentityAndPolicyTest.field;
import static dev.zerogate.e2e.IdentityAndPolicyTest.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connector provisioned the way an admin does it, against the real packaged identity-svc on a
 * real PostgreSQL: the packaged connector-svc starts with the {@code docker run} line's
 * environment, bootstraps and is ready, rotates its tokens with identity-svc, restarts from its
 * state directory (with the spent pair still set, as {@code docker restart} does, and without it),
 * and is not ready once an admin revokes it.
 */
class ConnectorBootstrapTest {

    static final String PASSWORD = "an admin password for the connector test";

    @TempDir
    static Path home;

    static EmbeddedPostgresServer postgres;
    static ServiceProcess identity;
    static int connectorPort;
    static String adminToken;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startIdentity() throws Exception {
        int base = FreePorts.consecutiveLoopback(3);
        connectorPort = base + 2;
        postgres = EmbeddedPostgresServer.start(home, base, home.resolve("postgres.log"));
        identity = ServiceProcess.start("identity-svc", "identity", base + 1, postgres.ensureDatabase("zerogate_identity"),
                Map.of("ZEROGATE_IDENTITY_ISSUER", "http://127.0.0.1:" + (base + 1),
                        "ZEROGATE_IDENTITY_KEYS_MASTER_KEY_FILE", home.resolve("identity-master.key").toString(),
                        // Connector access tokens of 15 s: the connector refreshes within the test.
                        "ZEROGATE_IDENTITY_TOKENS_CONNECTOR_ACCESS_TOKEN_LIFETIME", "15s"), home);
        Matcher link = IdentityAndPolicyTest.SETUP_LINK.matcher(Files.readString(identity.log()));
        assertTrue(link.find(), "identity-svc printed no setup link");
        assertEquals(200, post(identity.url() + "/setup", Map.of("token", link.group(1), "username", "admin", "password", PASSWORD,
                "confirm", PASSWORD), null).statusCode());
        String started = post(identity.url() + "/oauth2/device_authorization", Map.of("client_id", "zerogate-cli"), null).body();
        assertEquals(200, post(identity.url() + "/device", Map.of("user_code", field(started, "user_code"), "username", "admin",
                "password", PASSWORD, "action", "approve"), null).statusCode());
        HttpResponse<String> tokens = post(identity.url() + "/oauth2/token", Map.of("grant_type",
                "urn:ietf:params:oauth:grant-type:device_code", "device_code", field(started, "device_code"), "client_id", "zerogate-cli"), null);
        assertEquals(200, tokens.statusCode(), tokens.body());
        adminToken = field(tokens.body(), "access_token");
    }

    @AfterAll
    static void stop() throws Exception {
        if (identity != null) {
            identity.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void bootstrapsFromTheDockerRunEnvironmentRotatesAndRestartsFromItsStateDirectory() throws Exception {
        String connectorId = UUID.randomUUID().toString();
        String networkId = UUID.randomUUID().toString();
        Path stateDir = home.resolve("connector-state");
        try (GrpcProbe probe = GrpcProbe.connect(identity.port())) {
            IdentityAdminServiceBlockingStub admin = GrpcProbe.withBearer(IdentityAdminServiceGrpc.newBlockingStub(probe.channel()), adminToken);
            CreateConnectorResponse created = admin.createConnector(CreateConnectorRequest.newBuilder()
                    .setConnectorId(connectorId).setRemoteNetworkId(networkId).build());
            assertEquals(ConnectorCredentialState.CONNECTOR_CREDENTIAL_STATE_PENDING_BOOTSTRAP, created.getConnector().getState());
            assertEquals(identity.url(), created.getEnvironmentMap().get("ZEROGATE_URL"));

            // First start: exactly the environment the admin was handed, plus where to keep state.
            Map<String, String> environment = new HashMap<>(created.getEnvironmentMap());
            environment.put("ZEROGATE_CONNECTOR_STATE_DIR", stateDir.toString());
            environment.put("ZEROGATE_LABEL_SITE", "attic");
            environment.put("ZEROGATE_LOG_LEVEL", "DEBUG");
            String serial;
            try (ServiceProcess connector = ServiceProcess.start("connector-svc", "connector-1", connectorPort, null, environment, home)) {
                ConnectorIdentity bootstrapped = connector(admin, connectorId);
                assertEquals(ConnectorCredentialState.CONNECTOR_CREDENTIAL_STATE_ACTIVE, bootstrapped.getState());
                assertTrue(bootstrapped.hasBootstrappedAt());
                serial = bootstrapped.getCertificateSerial();
                assertFalse(serial.isEmpty());
                String ready = get(connector.url() + "/q/health/ready").body();
                assertTrue(ready.contains(connectorId) && ready.contains(serial), ready);
                try (GrpcProbe local = GrpcProbe.connect(connector.port())) {
                    assertEquals(Map.of("site", "attic"), ConnectorStatusServiceGrpc.newBlockingStub(local.channel())
                            .getStatus(GetStatusRequest.getDefaultInstance()).getLabelsMap());
                }

                // Its rotation thread refreshes the 15 s tokens with identity-svc on its own.
                ConnectorIdentity refreshed = await(admin, connectorId, ConnectorIdentity::hasLastRefreshedAt, Duration.ofSeconds(40));
                assertEquals(ConnectorCredentialState.CONNECTOR_CREDENTIAL_STATE_ACTIVE, refreshed.getState());

                String log = Files.readString(connector.log());
                assertTrue(log.contains(" DEBUG "), "ZEROGATE_LOG_LEVEL=DEBUG shows debug lines");
                assertTrue(log.contains("tokens refreshed"), log);
                assertFalse(log.contains(created.getAccessToken()) || log.contains(created.getRefreshToken()), "a bootstrap token in the log");
            }
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(stateDir)));
            for (String file : List.of("credentials.json", "connector-1.key", "connector-1.crt", "trust-anchors-1.pem")) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(stateDir.resolve(file))), file);
            }
            String storedRefreshToken = field(Files.readString(stateDir.resolve("credentials.json")), "refresh_token");

            // docker restart: the spent bootstrap pair is still in the environment; the stored credentials win.
            try (ServiceProcess connector = ServiceProcess.start("connector-svc", "connector-2", connectorPort, null, environment, home)) {
                String log = Files.readString(connector.log());
                assertTrue(log.contains("ZEROGATE_ACCESS_TOKEN and ZEROGATE_REFRESH_TOKEN ignored"), log);
                assertTrue(log.contains("credentials loaded from " + stateDir), log);
                assertFalse(log.contains(storedRefreshToken), "a refresh token in the log");
            }
            assertEquals(ConnectorCredentialState.CONNECTOR_CREDENTIAL_STATE_ACTIVE, connector(admin, connectorId).getState());

            // Without the pair at all: it comes up from the state directory alone.
            Map<String, String> stateOnly = Map.of("ZEROGATE_URL", identity.url(), "ZEROGATE_CONNECTOR_STATE_DIR", stateDir.toString());
            try (ServiceProcess connector = ServiceProcess.start("connector-svc", "connector-3", connectorPort, null, stateOnly, home)) {
                ConnectorIdentity after = connector(admin, connectorId);
                assertEquals(ConnectorCredentialState.CONNECTOR_CREDENTIAL_STATE_ACTIVE, after.getState(), after.getRevocationReason());
                assertEquals(serial, after.getCertificateSerial(), "the same certificate: no new bootstrap");

                // Revoked by an admin: the next refresh is refused and the connector reports not ready.
                admin.revokeConnector(RevokeConnectorRequest.newBuilder().setConnectorId(connectorId).setReason("e2e: decommissioned").build());
                HttpResponse<String> ready = null;
                Instant deadline = Instant.now().plus(Duration.ofSeconds(40));
                while (Instant.now().isBefore(deadline)) {
                    ready = get(connector.url() + "/q/health/ready");
                    if (ready.statusCode() == 503) {
                        break;
                    }
                    Thread.sleep(500);
                }
                assertEquals(503, ready.statusCode(), ready.body());
                assertTrue(ready.body().contains("refused"), ready.body());
                assertEquals(200, get(connector.url() + "/q/health/live").statusCode(), "refused credentials do not kill the process");
                assertTrue(Files.exists(stateDir.resolve("credentials.json.revoked")));
            }
        }
    }

    static ConnectorIdentity connector(IdentityAdminServiceBlockingStub admin, String connectorId) {
        return admin.listConnectors(ListConnectorsRequest.getDefaultInstance()).getConnectorsList().stream()
                .filter(c -> c.getConnectorId().equals(connectorId)).findFirst().orElseThrow();
    }

    static ConnectorIdentity await(IdentityAdminServiceBlockingStub admin, String connectorId, Predicate<ConnectorIdentity> condition,
                                   Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        ConnectorIdentity now = connector(admin, connectorId);
        while (!condition.test(now) && Instant.now().isBefore(deadline)) {
            Thread.sleep(500);
            now = connector(admin, connectorId);
        }
        assertTrue(condition.test(now), "not in time: " + now);
        return now;
    }

    static HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
