package dev.zerogate.identity.bootstrap;

import dev.zerogate.identity.IdentityDatabase;
import dev.zerogate.identity.repository.ServiceAccountKeyRepository;
import dev.zerogate.identity.repository.ServiceAccountRepository;
import dev.zerogate.identity.service.ServiceAccounts;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one-box install's service accounts: made once, kept across starts, replaced when unusable, never resurrected. */
@QuarkusTest
@IdentityDatabase
class ServiceAccountBootstrapTest {

    @Inject
    ServiceAccounts serviceAccounts;
    @Inject
    ServiceAccountRepository accounts;
    @Inject
    ServiceAccountKeyRepository keys;
    @Inject
    Clock clock;

    Path secrets;
    String name;
    ServiceAccountBootstrap bootstrap;

    @BeforeEach
    void setUp() throws Exception {
        secrets = Files.createTempDirectory("bootstrap").resolve("secrets");
        name = "svc-" + UUID.randomUUID().toString().substring(0, 8);
        BootstrapConfig config = new BootstrapConfig() {
            @Override
            public Optional<Path> secretsDir() {
                return Optional.of(secrets);
            }

            @Override
            public List<String> serviceAccounts() {
                return List.of(name);
            }
        };
        bootstrap = new ServiceAccountBootstrap(config, serviceAccounts, accounts, keys, clock);
    }

    @Test
    void aFirstStartMakesTheAccountAndAKeyThatSignsInFromAPrivateFile() throws Exception {
        String outcome = await(() -> bootstrap.ensure(name));
        Path file = secrets.resolve(name + ".client");
        assertTrue(outcome.startsWith("new key"), outcome);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        ServiceAccountKeyFile key = ServiceAccountKeyFile.read(file).orElseThrow();
        assertTrue(key.secret().startsWith(ServiceAccounts.SECRET_PREFIX));
        given().contentType(ContentType.URLENC).formParam("grant_type", "client_credentials")
                .formParam("client_id", key.keyId().toString()).formParam("client_secret", key.secret())
                .post("/oauth2/token").then().statusCode(200);
        assertTrue(!outcome.contains(key.secret()), "the outcome (logged) names the secret");
    }

    @Test
    void aLaterStartKeepsAGoodKey() throws Exception {
        await(() -> bootstrap.ensure(name));
        ServiceAccountKeyFile first = ServiceAccountKeyFile.read(secrets.resolve(name + ".client")).orElseThrow();
        String outcome = await(() -> bootstrap.ensure(name));
        assertTrue(outcome.startsWith("key " + first.keyId() + " kept"), outcome);
        assertEquals(first, ServiceAccountKeyFile.read(secrets.resolve(name + ".client")).orElseThrow());
    }

    @Test
    void aTamperedOrRevokedKeyIsReplacedOnTheSameAccountAndTheOldOneRevoked() throws Exception {
        await(() -> bootstrap.ensure(name));
        Path file = secrets.resolve(name + ".client");
        ServiceAccountKeyFile first = ServiceAccountKeyFile.read(file).orElseThrow();
        new ServiceAccountKeyFile(first.accountId(), first.keyId(), first.secret() + "x", first.expiresAt()).write(file);

        String outcome = await(() -> bootstrap.ensure(name));

        ServiceAccountKeyFile second = ServiceAccountKeyFile.read(file).orElseThrow();
        assertTrue(outcome.startsWith("new key"), outcome);
        assertEquals(first.accountId(), second.accountId());
        assertNotEquals(first.keyId(), second.keyId());
        assertTrue(await(() -> io.quarkus.hibernate.reactive.panache.Panache.withSession(() -> keys.findById(first.keyId())))
                .revokedAt != null, "the replaced key is still usable");
    }

    @Test
    void anAccountAnAdminRevokedIsNotMadeAgain() throws Exception {
        await(() -> bootstrap.ensure(name));
        UUID account = ServiceAccountKeyFile.read(secrets.resolve(name + ".client")).orElseThrow().accountId();
        await(() -> serviceAccounts.revoke(account, "compromised", "test-admin", "test"));

        AssertionError refused = assertThrows(AssertionError.class, () -> await(() -> bootstrap.ensure(name)));
        assertTrue(refused.getCause().getMessage().contains("was revoked by an admin"), refused.getCause().getMessage());
    }

    static <T> T await(Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
