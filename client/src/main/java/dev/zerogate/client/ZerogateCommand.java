package dev.zerogate.client;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;

/**
 * The {@code zerogate} command. Subcommands (login, resources, connect, forward, up, status,
 * logout) arrive with the issues that build them; until then it tells what it is.
 */
@TopCommand
@Command(name = "zerogate",
        mixinStandardHelpOptions = true,
        versionProvider = ClientVersion.class,
        description = "Reach your private resources from anywhere, each connection authenticated and authorised.")
public class ZerogateCommand {
}
