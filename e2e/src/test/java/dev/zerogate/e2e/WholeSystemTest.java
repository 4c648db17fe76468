package dev.zerogate.e2e;

import dev.zerogate.local.LocalStack;
import dev.zerogate.local.LocalStack.RunningService;
import dev.zerogate.testkit.GrpcProbe;
import dev.zerogate.testkit.TempDirs;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * All four services together against one real PostgreSQL, started the way
 * {@code ./zerogate-local} starts them: each is healthy and reachable over gRPC, the data
 * survives a restart, and readiness follows the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WholeSystemTest {

    private static final Map<String, List<String>> CONTRACTS = Map.of(
            "identity-svc", List.of("zerogate.identity.v1.AuthService", "zerogate.identity.v1.AccountService", "zerogate.identity.v1.EnrollmentService",
                    "zerogate.identity.v1.IdentityAdminService"),
            "policy-svc", List.of("zerogate.policy.v1.PolicyAdminService", "zerogate.policy.v1.AuthorizationService",
                    "zerogate.policy.v1.PolicyStreamService", "zerogate.policy.v1.AuditService",
                    "zerogate.policy.v1.ConnectorStateService"),
            "relay-svc", List.of("zerogate.relay.v1.RelayControlService"),
            "connector-svc", List.of("zerogate.connector.v1.ConnectorStatusService"));

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Path home;
    private int portBase;
    private LocalStack stack;

    @BeforeAll
    void startSystem() throws Exception {
        home = Files.createTempDirectory("zerogate-e2e-");
        portBase = LocalStackHarness.freePortBase();
        stack = LocalStackHarness.start(home, portBase);
    }

    @AfterAll
    void stopSystem() throws Exception {
        if (stack != null) {
            stack.close();
        }
        TempDirs.deleteRecursively(home);
    }

    @Test
    @Order(1)
    void everyServiceIsReadyOverHttp() throws Exception {
        assertEquals(CONTRACTS.keySet(), stack.services().stream().map(s -> s.spec().name()).collect(java.util.stream.Collectors.toSet()));
        for (RunningService service : stack.services()) {
            HttpResponse<String> ready = get(service.healthUrl() + "/ready");
            assertEquals(200, ready.statusCode(), service.spec().name() + ": " + ready.body());
            assertTrue(ready.body().contains("\"status\": \"UP\""), ready.body());
        }
    }

    @Test
    @Order(2)
    void everyServiceAnswersHealthAndReflectionOverGrpc() throws Exception {
        for (RunningService service : stack.services()) {
            try (GrpcProbe probe = GrpcProbe.connect(service.port())) {
                assertEquals(ServingStatus.SERVING, probe.health(""), service.spec().name());
                List<String> expected = new ArrayList<>(CONTRACTS.get(service.spec().name()));
                expected.add("grpc.health.v1.Health");
                List<String> listed = probe.listServices();
                assertTrue(listed.containsAll(expected), service.spec().name() + " lists " + listed);
                for (String contract : CONTRACTS.get(service.spec().name())) {
                    assertEquals(ServingStatus.SERVING, probe.health(contract), contract);
                }
            }
        }
    }

    @Test
    @Order(3)
    void identityAndPolicyEachMigratedTheirOwnDatabaseInTheOnePostgres() throws Exception {
        try (Connection identity = connect("zerogate_identity"); Connection policy = connect("zerogate_policy")) {
            List<String> identityTables = tables(identity);
            List<String> policyTables = tables(policy);
            assertTrue(identityTables.containsAll(List.of("users", "signing_keys", "sessions")), identityTables.toString());
            assertTrue(policyTables.contains("remote_networks"), policyTables.toString());
            // Both keep an audit log and revocations of their own; what is one service's alone stays in its database.
            assertTrue(policyTables.stream().noneMatch(List.of("users", "signing_keys", "sessions", "devices")::contains),
                    "identity-svc's tables in policy-svc's database: " + policyTables);
            assertTrue(identityTables.stream().noneMatch(List.of("remote_networks", "resources", "access_rules", "policy_log")::contains),
                    "policy-svc's tables in identity-svc's database: " + identityTables);
        }
    }

    @Test
    @Order(3)
    void identityPublishesItsSigningKeysAndKeepsItsMasterKeyOwnerOnly() throws Exception {
        RunningService identity = stack.services().stream().filter(s -> s.spec().name().equals("identity-svc")).findFirst().orElseThrow();
        HttpResponse<String> jwks = get("http://127.0.0.1:" + identity.port() + "/oauth2/jwks");
        assertEquals(200, jwks.statusCode());
        assertTrue(jwks.body().contains("\"alg\":\"ES256\""), jwks.body());
        Path masterKey = home.resolve("identity/master.key");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(masterKey)));
    }

    @Test
    @Order(4)
    void dataSurvivesARestart() throws Exception {
        String name = "kept across restarts " + UUID.randomUUID();
        try (Connection policy = connect("zerogate_policy"); Statement s = policy.createStatement()) {
            s.executeUpdate("INSERT INTO remote_networks (id, name) VALUES (gen_random_uuid(), '" + name + "')");
        }
        String keysBefore = get(jwksUrl()).body();
        int migrationsBefore = migrationsApplied();
        stack.close();
        stack = LocalStackHarness.start(home, portBase);
        // The signing key, sealed with the master key in the data directory, opens again.
        assertEquals(keysBefore, get(jwksUrl()).body());
        try (Connection policy = connect("zerogate_policy"); Statement s = policy.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM remote_networks WHERE name = '" + name + "'")) {
            rs.next();
            assertEquals(1, rs.getInt(1));
        }
        // The second start found the schema current and migrated nothing.
        assertEquals(migrationsBefore, migrationsApplied());
    }

    private int migrationsApplied() throws Exception {
        try (Connection policy = connect("zerogate_policy"); Statement s = policy.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    @Order(5)
    void readinessFollowsTheDatabaseWhileLivenessStaysUp() throws Exception {
        // Stop the PostgreSQL this test started, by the pid in its postmaster.pid. SIGINT is
        // PostgreSQL's "fast" shutdown; SIGTERM ("smart") would wait for the services' pooled
        // connections to close, which they never do.
        long postmaster = Long.parseLong(Files.readAllLines(home.resolve("pgdata/postmaster.pid")).get(0).strip());
        assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(postmaster)).inheritIO().start().waitFor());
        for (String name : List.of("identity-svc", "policy-svc")) {
            RunningService service = stack.services().stream().filter(s -> s.spec().name().equals(name)).findFirst().orElseThrow();
            HttpResponse<String> ready = awaitStatus(service.healthUrl() + "/ready", 503, Duration.ofSeconds(30));
            assertTrue(ready.body().contains("\"status\": \"DOWN\""), ready.body());
            assertEquals(200, get(service.healthUrl() + "/live").statusCode(), name + " liveness");
        }
    }

    private String jwksUrl() {
        return stack.services().stream().filter(s -> s.spec().name().equals("identity-svc"))
                .map(s -> "http://127.0.0.1:" + s.port() + "/oauth2/jwks").findFirst().orElseThrow();
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> awaitStatus(String url, int status, Duration within) throws Exception {
        Instant deadline = Instant.now().plus(within);
        HttpResponse<String> last = get(url);
        while (last.statusCode() != status && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
            last = get(url);
        }
        assertEquals(status, last.statusCode(), url + ": " + last.body());
        return last;
    }

    private Connection connect(String database) throws Exception {
        String password = Files.readString(home.resolve("secrets").resolve(database + ".password")).strip();
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + stack.postgresPort() + "/" + database, database, password);
    }

    private static List<String> tables(Connection c) throws Exception {
        List<String> names = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'flyway_schema_history' ORDER BY 1")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }
}
