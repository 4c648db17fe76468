package dev.zerogate.policy;

import dev.zerogate.testkit.MigrationsContract;
import io.quarkus.test.junit.QuarkusTest;

import java.util.List;

@QuarkusTest
@PolicyDatabase
class PolicyMigrationsTest extends MigrationsContract {

    @Override
    protected List<String> expectedVersions() {
        return List.of("1", "2", "3", "4");
    }
}
