package dev.zerogate.client.tunnel;

import dev.zerogate.client.cli.CliErrors;
import dev.zerogate.client.policy.PolicyCall;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;

/**
 * {@code zerogate connect RESOURCE PORT}: one flow on standard input and output, e.g.
 * {@code ssh -o ProxyCommand='zerogate connect %h %p' user@homeserver}. Messages go to stderr;
 * exit 0 when the flow ended normally, 1 when it was denied, refused or broken.
 */
@Command(name = "connect", description = "Carry one TCP flow to RESOURCE:PORT on stdin/stdout (for ssh ProxyCommand).")
public class ConnectCommand extends TunnelCommand {

    @Parameters(index = "0", paramLabel = "RESOURCE", description = "The resource's name or address, as `zerogate resources` shows.")
    String resource;

    @Parameters(index = "1", paramLabel = "PORT", description = "The TCP port, 1 to 65535.")
    int port;

    @Override
    protected void checkArguments() {
        if (port < 1 || port > 65535) {
            throw usage("PORT must be 1 to 65535, not " + port);
        }
    }

    @Override
    String describeRun() {
        return "connect " + resource + " " + port;
    }

    @Override
    int run(PolicyCall call, TunnelClient tunnel) throws Exception {
        // The raw descriptors: nothing else may buffer or write to stdout while it carries the flow.
        StdioStreamEnd end = new StdioStreamEnd(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out));
        try {
            tunnel.open(resource, port, end, end::start).get();
        } catch (Exception e) {
            spec.commandLine().getErr().println("zerogate: " + describe(e, resource, port));
            return CliErrors.FAILED;
        }
        String failure = end.done().get();
        if (failure != null) {
            spec.commandLine().getErr().println("zerogate: " + failure);
            return CliErrors.FAILED;
        }
        return 0;
    }
}
