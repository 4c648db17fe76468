package dev.zerogate.client.cli;

import dev.zerogate.client.policy.PolicyChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The CLI's one place for failures: a one-line {@code zerogate: <what went wrong>} on stderr,
 * never a stack trace, never a token. Exit 1 when a call failed, 2 when the command line
 * itself is wrong (then with a pointer to the command's help).
 *
 * <p>gRPC descriptions are the server's human messages (the contract promises they hold no
 * secrets or stack traces); a hint is added where the person can act (log in again, check the
 * URL). Descriptions are kept to one line.
 */
public final class CliErrors {

    public static final int FAILED = 1;
    public static final int USAGE = 2;

    private CliErrors() {
    }

    /** The one line for a failed call to the service at {@code url}, without the "zerogate: " prefix. */
    public static String describe(StatusRuntimeException failure, String url) {
        Status status = failure.getStatus();
        String description = oneLine(status.getDescription());
        String code = status.getCode().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        switch (status.getCode()) {
            case UNAUTHENTICATED:
                return (description.isEmpty() ? "not authenticated" : description) + " (log in again: zerogate login)";
            case PERMISSION_DENIED:
                return description.isEmpty() ? "permission denied" : "permission denied: " + description;
            case UNAVAILABLE:
                java.util.Optional<String> certificate = dev.zerogate.edge.TrustMaterial.certificateProblem(failure);
                if (certificate.isPresent()) {
                    return "cannot reach policy-svc at " + url + " securely: " + oneLine(certificate.get());
                }
                String cause = failure.getCause() != null && failure.getCause().getMessage() != null
                        ? oneLine(failure.getCause().getMessage()) : "";
                return "policy-svc at " + url + " is unavailable" + (description.isEmpty() ? "" : ": " + description)
                        + (cause.isEmpty() || description.contains(cause) ? "" : " (" + cause + ")")
                        + "; check the URL (--policy-url) and that it runs, then retry";
            case DEADLINE_EXCEEDED:
                return "policy-svc at " + url + " did not answer within " + PolicyChannel.UNARY_DEADLINE_SECONDS + " s; retry later";
            case UNIMPLEMENTED:
                return "policy-svc at " + url + " does not offer this call (an older version?)"
                        + (description.isEmpty() ? "" : ": " + description);
            default:
                return description.isEmpty() ? code : description;
        }
    }

    /** Text on one line, without control characters; empty for null. */
    public static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("[\\r\\n\\t]+", " ").replaceAll("\\p{Cntrl}", "?").strip();
    }

    /** Installs the handlers on {@code commandLine} and returns it. */
    static CommandLine configure(CommandLine commandLine) {
        return commandLine.setParameterExceptionHandler(new UsageHandler()).setExecutionExceptionHandler(new FailureHandler());
    }

    /** A wrong command line: the problem, suggestions for a mistyped word, and where the help is. */
    static final class UsageHandler implements IParameterExceptionHandler {
        @Override
        public int handleParseException(ParameterException failure, String[] args) {
            CommandLine command = failure.getCommandLine();
            PrintWriter err = command.getErr();
            // picocli starts some messages with "Error: "; the prefix already says it.
            err.println("zerogate: " + oneLine(failure.getMessage()).replaceFirst("^Error: ", ""));
            UnmatchedArgumentException.printSuggestions(failure, err);
            err.println("See: " + command.getCommandSpec().qualifiedName() + " --help");
            err.flush();
            return USAGE;
        }
    }

    /**
     * Anything a command let escape: its message only. Commands map the failures they expect
     * themselves; this keeps the unexpected from printing a stack trace.
     */
    static final class FailureHandler implements IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception failure, CommandLine command, CommandLine.ParseResult parsed) {
            PrintWriter err = command.getErr();
            String message = failure instanceof StatusRuntimeException status ? describe(status, "the server")
                    : failure.getMessage() == null ? failure.getClass().getSimpleName() : oneLine(failure.getMessage());
            err.println("zerogate: " + message);
            err.flush();
            return FAILED;
        }
    }
}
