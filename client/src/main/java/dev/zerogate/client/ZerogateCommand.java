package dev.zerogate.client;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;

/**
 * The {@code zerogate} command: {@code login}, {@code status} and {@code logout} today;
 * {@code resources}, {@code connect}, {@code forward} and {@code up} arrive with the issues
 * that build them.
 */
@TopCommand
@Command(name = "zerogate",
        mixinStandardHelpOptions = true,
        subcommands = {LoginCommand.class, StatusCommand.class, LogoutCommand.class, MfaCommand.class},
        versionProvider = ClientVersion.class,
        description = "Reach your private resources from anywhere, each connection authenticated and authorised.")
public class ZerogateCommand {
}
