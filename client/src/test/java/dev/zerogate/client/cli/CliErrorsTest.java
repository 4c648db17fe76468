package dev.zerogate.client.cli;

import dev.zerogate.client.ZerogateCommand;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliErrorsTest {

    static final String URL = "http://127.0.0.1:7402";

    @Test
    void aNonAdminSeesTheServersReasonAsPermissionDenied() {
        String line = CliErrors.describe(Status.PERMISSION_DENIED.withDescription("this rpc is for admins (members of group 'admins')")
                .asRuntimeException(), URL);
        assertEquals("permission denied: this rpc is for admins (members of group 'admins')", line);
    }

    @Test
    void anExpiredOrRevokedLoginIsToldToLogInAgain() {
        String line = CliErrors.describe(Status.UNAUTHENTICATED.withDescription("access token refused: expired").asRuntimeException(), URL);
        assertEquals("access token refused: expired (log in again: zerogate login)", line);
    }

    @Test
    void anUnreachableServerNamesTheUrlAndTheCause() {
        StatusRuntimeException failure = Status.UNAVAILABLE.withDescription("io exception")
                .withCause(new ConnectException("Connection refused: /127.0.0.1:7402")).asRuntimeException();
        String line = CliErrors.describe(failure, URL);
        assertTrue(line.startsWith("policy-svc at http://127.0.0.1:7402 is unavailable: io exception"), line);
        assertTrue(line.contains("Connection refused"), line);
        assertTrue(line.contains("--policy-url"), line);
    }

    @Test
    void otherCodesCarryTheServersDescriptionOrTheCodeInWords() {
        assertEquals("no resource with id 0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f00", CliErrors.describe(Status.NOT_FOUND
                .withDescription("no resource with id 0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f00").asRuntimeException(), URL));
        assertEquals("failed precondition", CliErrors.describe(Status.FAILED_PRECONDITION.asRuntimeException(), URL));
        assertTrue(CliErrors.describe(Status.DEADLINE_EXCEEDED.asRuntimeException(), URL).contains("did not answer within 30 s"));
        assertTrue(CliErrors.describe(Status.UNIMPLEMENTED.asRuntimeException(), URL).contains("does not offer this call"));
    }

    @Test
    void aMultiLineDescriptionBecomesOneLine() {
        String line = CliErrors.describe(Status.INVALID_ARGUMENT.withDescription("name: too long\n\tsee the contract").asRuntimeException(), URL);
        assertEquals("name: too long see the contract", line);
    }

    @Command(name = "fails")
    static class Failing implements Callable<Integer> {
        RuntimeException failure;

        @Override
        public Integer call() {
            throw failure;
        }
    }

    private static String[] run(CommandLine commandLine, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int exit = commandLine.execute(args);
        return new String[] {Integer.toString(exit), out.toString(), err.toString()};
    }

    @Test
    void anEscapedFailureIsOneLineAndExitOneNeverAStackTrace() {
        Failing failing = new Failing();
        failing.failure = new IllegalStateException("the disk is full");
        String[] result = run(CliErrors.configure(new CommandLine(failing)));
        assertEquals("1", result[0]);
        assertEquals("zerogate: the disk is full\n", result[2]);

        failing.failure = Status.PERMISSION_DENIED.withDescription("not for you").asRuntimeException();
        result = run(CliErrors.configure(new CommandLine(failing)));
        assertEquals("1", result[0]);
        assertEquals("zerogate: permission denied: not for you\n", result[2]);
    }

    @Test
    void aMalformedOptionValueIsAUsageErrorNamingTheOptionAndTheLimit() {
        String[] result = run(CliErrors.configure(new CommandLine(new ZerogateCommand())),
                "admin", "resources", "create", "--network", "n", "--name", "x", "--address", "10.0.0.5", "--tcp", "22,70000");
        assertEquals("2", result[0]);
        String[] lines = result[2].split("\n");
        assertEquals("zerogate: Invalid value for option '--tcp': port 70000 is out of range: ports are 1 to 65535", lines[0]);
        assertEquals("See: zerogate admin resources create --help", lines[1]);
        assertEquals(2, lines.length, result[2]);
        assertEquals("", result[1]);
    }

    @Test
    void aMistypedSubcommandGetsASuggestion() {
        String[] result = run(CliErrors.configure(new CommandLine(new ZerogateCommand())), "admin", "netwroks", "list");
        assertEquals("2", result[0]);
        assertTrue(result[2].startsWith("zerogate: Unmatched arguments"), result[2]);
        assertTrue(result[2].contains("networks"), result[2]);
        assertFalse(result[2].contains("\tat "), result[2]);
    }

    @Test
    void anUpdateWithNothingToChangeIsRefusedBeforeAnythingIsSent() {
        String[] result = run(CliErrors.configure(new CommandLine(new ZerogateCommand())),
                "admin", "resources", "update", "0190f6b8-7c1e-7a3b-9f2d-5e4c3b2a1f00");
        assertEquals("2", result[0]);
        assertTrue(result[2].startsWith("zerogate: nothing to change: give at least one of --name"), result[2]);
    }

    @Test
    void aGroupSyncedFromTheIdpCannotListMembers() {
        String[] result = run(CliErrors.configure(new CommandLine(new ZerogateCommand())),
                "admin", "groups", "create", "--name", "staff", "--idp-group", "staff", "--member-user", "u");
        assertEquals("2", result[0]);
        assertTrue(result[2].contains("takes its members from the IdP"), result[2]);
    }

    @Test
    void aRuleNeedsExactlyOneSubject() {
        String[] result = run(CliErrors.configure(new CommandLine(new ZerogateCommand())),
                "admin", "rules", "create", "--name", "r", "--group", "g", "--service-account", "s", "--resource", "x");
        assertEquals("2", result[0]);
        assertTrue(result[2].startsWith("zerogate: --group=ID, --service-account=ID are mutually exclusive"), result[2]);
    }
}
