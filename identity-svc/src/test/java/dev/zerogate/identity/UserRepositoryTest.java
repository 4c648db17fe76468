package dev.zerogate.identity;

import dev.zerogate.identity.repository.UserRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.vertx.RunOnVertxContext;
import io.quarkus.test.vertx.UniAsserter;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static dev.zerogate.testkit.Throwables.describeChain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Hibernate Reactive mapping against the migrated schema, through a real PostgreSQL. */
@QuarkusTest
@IdentityDatabase
class UserRepositoryTest {

    @Inject
    UserRepository users;

    private static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    @RunOnVertxContext
    void persistedUserIsFoundByUsername(UniAsserter asserter) {
        User alice = User.create(uniqueName("alice"), "Alice");
        asserter.execute(() -> Panache.withTransaction(() -> users.persist(alice)));
        asserter.assertThat(() -> Panache.withSession(() -> users.findByUsername(alice.username)), found -> {
            assertEquals(alice.id, found.id);
            assertEquals("Alice", found.displayName);
        });
        asserter.assertThat(() -> Panache.withSession(() -> users.findByUsername(uniqueName("nobody"))),
                found -> assertNull(found));
    }

    @Test
    @RunOnVertxContext
    void secondUserWithTheSameUsernameIsRejected(UniAsserter asserter) {
        String name = uniqueName("bob");
        asserter.execute(() -> Panache.withTransaction(() -> users.persist(User.create(name, "Bob"))));
        asserter.assertFailedWith(() -> Panache.withTransaction(() -> users.persist(User.create(name, "Other Bob"))),
                failure -> assertTrue(describeChain(failure).contains("users_username_unique"), describeChain(failure)));
    }

    @Test
    @RunOnVertxContext
    void malformedUsernameIsRejectedByTheSchema(UniAsserter asserter) {
        asserter.assertFailedWith(() -> Panache.withTransaction(() -> users.persist(User.create("Has Spaces", "x"))),
                failure -> assertTrue(describeChain(failure).contains("users_username_format"), describeChain(failure)));
    }
}
