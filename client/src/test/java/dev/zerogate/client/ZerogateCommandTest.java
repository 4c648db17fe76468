package dev.zerogate.client;

import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.Test;

import java.util.List;

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

    @Test
    @Launch(value = {"admin", "resources", "create", "--network", "n", "--name", "x", "--address", "10.0.0.5", "--tcp", "0"},
            exitCode = 2)
    void theApplicationReportsUsageErrorsOnOneLineWithWhereTheHelpIs(LaunchResult result) {
        assertEquals(List.of("zerogate: Invalid value for option '--tcp': port 0 is out of range: ports are 1 to 65535",
                "See: zerogate admin resources create --help"), result.getErrorStream());
    }

    @Test
    @Launch(value = {"admin", "rules", "--help"})
    void everySubcommandHasHelp(LaunchResult result) {
        assertTrue(result.getOutput().contains("Usage: zerogate admin rules [-hV] [COMMAND]"), result.getOutput());
        assertTrue(result.getOutput().contains("enable"), result.getOutput());
    }

    @Test
    @Launch(value = {"service", "install", "--kind", "systemd", "--print", "--exec", "/usr/local/bin/zerogate", "--listen", "127.0.0.1:1090"})
    void serviceInstallPrintsAUserUnitThatRunsUpWithTheGivenOptions(LaunchResult result) {
        assertEquals(0, result.exitCode(), result.getErrorOutput());
        assertTrue(result.getOutput().contains("ExecStart=/usr/local/bin/zerogate up --listen 127.0.0.1:1090 --others refuse"),
                result.getOutput());
        assertTrue(result.getOutput().contains("WantedBy=default.target"), result.getOutput());
    }

    @Test
    @Launch(value = {"service", "install", "--kind", "plan9", "--print", "--exec", "/usr/local/bin/zerogate"}, exitCode = 2)
    void anUnknownServiceManagerIsAUsageError(LaunchResult result) {
        assertTrue(result.getErrorOutput().contains("--kind must be systemd or launchd, not plan9"), result.getErrorOutput());
    }
}
