package dev.zerogate.identity;

import dev.zerogate.testkit.MigrationsContract;
import io.quarkus.test.junit.QuarkusTest;

import java.util.List;

@QuarkusTest
@IdentityDatabase
class IdentityMigrationsTest extends MigrationsContract {

    @Override
    protected List<String> expectedVersions() {
        return List.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
    }
}
