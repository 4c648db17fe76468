package dev.zerogate.client;

import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusMainTest
class ZerogateCommandTest {

    @Test
    @Launch("--version")
    void versionNamesTheBuild(LaunchResult result) {
        assertEquals(0, result.exitCode());
        assertTrue(result.getOutput().startsWith("zerogate 0.1.0-SNAPSHOT"), result.getOutput());
    }

    @Test
    @Launch("--help")
    void helpDescribesTheCommand(LaunchResult result) {
        assertEquals(0, result.exitCode());
        assertTrue(result.getOutput().contains("Usage: zerogate"), result.getOutput());
    }

    @Test
    @Launch(value = "--no-such-option", exitCode = 2)
    void unknownOptionIsRefusedWithUsage(LaunchResult result) {
        assertNotEquals(0, result.exitCode());
        assertTrue(result.getErrorOutput().contains("Unknown option: '--no-such-option'"), result.getErrorOutput());
    }
}
