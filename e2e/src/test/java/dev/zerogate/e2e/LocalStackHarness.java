package dev.zerogate.e2e;

import dev.zerogate.local.LocalOptions;
import dev.zerogate.local.LocalStack;
import dev.zerogate.testkit.FreePorts;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Starts the real system for a test: the packaged service applications as processes and an
 * embedded PostgreSQL, through the same {@link LocalStack} as {@code ./zerogate-local}, on
 * free loopback ports and in a data directory of the test's.
 */
final class LocalStackHarness {

    /** Four JVMs starting at once on two cores: generous, it is a bound and not a target. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(240);

    private LocalStackHarness() {
    }

    /** The checkout whose modules were packaged before this module's tests run. */
    static Path projectDir() {
        return Path.of(System.getProperty("zerogate.home", "..")).toAbsolutePath().normalize();
    }

    static LocalOptions options(Path home, int portBase) {
        return options(home, portBase, LocalOptions.DEFAULT_JVM_OPTIONS);
    }

    static LocalOptions options(Path home, int portBase, List<String> jvmOptions) {
        return new LocalOptions(projectDir(), home, portBase, READY_TIMEOUT, LocalOptions.currentJava(), jvmOptions);
    }

    static int freePortBase() {
        return FreePorts.consecutiveLoopback(LocalOptions.PORT_SPAN + 1);
    }

    static LocalStack start(Path home, int portBase) throws LocalStack.StartFailure {
        return LocalStack.of(options(home, portBase), System.out).start();
    }
}
