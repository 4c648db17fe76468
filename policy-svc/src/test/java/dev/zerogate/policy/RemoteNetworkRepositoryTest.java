package dev.zerogate.policy;

import dev.zerogate.policy.repository.RemoteNetworkRepository;
import dev.zerogate.testkit.Throwables;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.vertx.RunOnVertxContext;
import io.quarkus.test.vertx.UniAsserter;
import jakarta.inject.Inject;
import org.hibernate.StaleObjectStateException;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static dev.zerogate.testkit.Throwables.describeChain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Hibernate Reactive mapping against the migrated schema, through a real PostgreSQL. */
@QuarkusTest
@PolicyDatabase
class RemoteNetworkRepositoryTest {

    @Inject
    RemoteNetworkRepository networks;

    private static String uniqueName(String prefix) {
        return prefix + " " + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    @RunOnVertxContext
    void persistedNetworkIsFoundByName(UniAsserter asserter) {
        RemoteNetwork home = RemoteNetwork.create(uniqueName("Home LAN"));
        asserter.execute(() -> Panache.withTransaction(() -> networks.persist(home)));
        asserter.assertThat(() -> Panache.withSession(() -> networks.findByName(home.name)), found -> {
            assertEquals(home.id, found.id);
            assertEquals(0L, found.version);
        });
    }

    @Test
    @RunOnVertxContext
    void secondNetworkWithTheSameNameIsRejected(UniAsserter asserter) {
        String name = uniqueName("Office");
        asserter.execute(() -> Panache.withTransaction(() -> networks.persist(RemoteNetwork.create(name))));
        asserter.assertFailedWith(() -> Panache.withTransaction(() -> networks.persist(RemoteNetwork.create(name))),
                failure -> assertTrue(describeChain(failure).contains("remote_networks_name_unique"), describeChain(failure)));
    }

    @Test
    @RunOnVertxContext
    void updateFromAStaleCopyFailsInsteadOfOverwriting(UniAsserter asserter) {
        RemoteNetwork network = RemoteNetwork.create(uniqueName("Lab"));
        asserter.execute(() -> Panache.withTransaction(() -> networks.persist(network)));
        // Someone else renames it first: the stored version moves on.
        asserter.execute(() -> Panache.withTransaction(() -> networks.findById(network.id)
                .invoke(fresh -> fresh.name = fresh.name + " (renamed)")));
        // Our copy still carries version 0.
        asserter.assertFailedWith(() -> Panache.withTransaction(() -> {
                    network.name = network.name + " (mine)";
                    return Panache.getSession().chain(session -> session.merge(network));
                }),
                failure -> assertInstanceOf(StaleObjectStateException.class, Throwables.find(failure, StaleObjectStateException.class), describeChain(failure)));
    }
}
