package dev.zerogate.client;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code zerogate} command: {@code login}, {@code status}, {@code logout}, {@code mfa},
 * {@code resources}, {@code connect}, {@code forward}, {@code up}, {@code service} and
 * {@code admin}.
 */
@TopCommand
@Command(name = "zerogate",
        mixinStandardHelpOptions = true,
        // Every subcommand gets --help (and --version) too, which the usage errors point to.
        scope = CommandLine.ScopeType.INHERIT,
        subcommands = {LoginCommand.class, StatusCommand.class, LogoutCommand.class, MfaCommand.class, ResourcesCommand.class,
                ConnectCommand.class, ForwardCommand.class, UpCommand.class, ServiceCommand.class, AdminCommand.class},
        versionProvider = ClientVersion.class,
        description = "Reach your private resources from anywhere, each connection authenticated and authorised.")
public class ZerogateCommand {
}
