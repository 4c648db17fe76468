package dev.zerogate.client;

import dev.zerogate.client.admin.AdminCommand;
import dev.zerogate.client.cli.ClientVersion;
import dev.zerogate.client.login.LoginCommand;
import dev.zerogate.client.login.LogoutCommand;
import dev.zerogate.client.login.MfaCommand;
import dev.zerogate.client.login.StatusCommand;
import dev.zerogate.client.policy.ResourcesCommand;
import dev.zerogate.client.tunnel.ConnectCommand;
import dev.zerogate.client.tunnel.ForwardCommand;
import dev.zerogate.client.tunnel.ServiceCommand;
import dev.zerogate.client.tunnel.UpCommand;
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
