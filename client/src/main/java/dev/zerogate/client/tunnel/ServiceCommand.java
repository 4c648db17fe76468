package dev.zerogate.client.tunnel;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code zerogate service install|uninstall}: {@code zerogate up} as a background service of the
 * logged-in user, always on: a systemd user unit on Linux, a launchd agent on macOS
 * ({@link ServiceUnits}). The CLI writes the file and prints the one or two commands that
 * start it; it does not run the service manager itself, so nothing starts behind your back.
 */
@Command(name = "service", description = "Run `zerogate up` as a background service of your user (systemd on Linux, launchd on macOS).",
        subcommands = {ServiceCommand.Install.class, ServiceCommand.Uninstall.class})
public class ServiceCommand {

    /** Options both subcommands take. */
    static class Target {
        /** The names --kind takes. */
        static final Map<String, ServiceUnits.Kind> KINDS = Map.of("systemd", ServiceUnits.Kind.SYSTEMD,
                "launchd", ServiceUnits.Kind.LAUNCHD);

        @Option(names = "--kind", paramLabel = "systemd|launchd",
                description = "The service manager (default: launchd on macOS, systemd elsewhere).")
        String kind;

        @Spec
        CommandSpec spec;

        ServiceUnits.Kind kind() {
            if (kind == null) {
                return ServiceUnits.Kind.forThisMachine();
            }
            ServiceUnits.Kind named = KINDS.get(kind);
            if (named == null) {
                throw new ParameterException(spec.commandLine(), "--kind must be systemd or launchd, not " + kind);
            }
            return named;
        }

        static Path home() {
            return Path.of(System.getProperty("user.home"));
        }

        Path file() {
            return ServiceUnits.location(kind(), home(), Optional.ofNullable(System.getenv("XDG_CONFIG_HOME")));
        }
    }

    @Command(name = "install", description = "Write the service for `zerogate up` and print how to start it.")
    static class Install extends Target implements Callable<Integer> {

        @Option(names = "--listen", paramLabel = "ADDR:PORT", defaultValue = "127.0.0.1:1080",
                description = "Where the proxy listens (default: ${DEFAULT-VALUE}).")
        String listen;

        @Option(names = "--others", paramLabel = "refuse|direct", defaultValue = "refuse",
                description = "Destinations that are not your resources: refuse (default) or connect directly.")
        UpCommand.Others others;

        @Option(names = "--exec", paramLabel = "PATH",
                description = "How to run zerogate, if not the way this command was run (e.g. /usr/local/bin/zerogate).")
        String exec;

        @Option(names = "--print", description = "Print the service file instead of writing it.")
        boolean print;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            List<String> command = exec != null ? List.of(exec) : ServiceUnits.thisCommand().orElseThrow(() -> new ParameterException(
                    spec.commandLine(), "cannot tell how this zerogate was started: pass --exec PATH"));
            Map<String, String> environment = new LinkedHashMap<>();
            for (String name : ServiceUnits.KEPT_ENVIRONMENT) {
                String value = System.getenv(name);
                if (value != null && !value.isBlank()) {
                    environment.put(name, value);
                }
            }
            ServiceUnits.Kind manager = kind();
            String unit = ServiceUnits.render(manager, new ServiceUnits.Settings(command, listen, others.name(), environment, home()));
            if (print) {
                out.print(unit);
                return 0;
            }
            Path file = file();
            Files.createDirectories(file.getParent());
            Files.writeString(file, unit);
            out.println("Wrote " + file + ". To start it now and at every login:");
            switch (manager) {
                case SYSTEMD -> {
                    out.println("    systemctl --user daemon-reload");
                    out.println("    systemctl --user enable --now zerogate-up");
                    out.println("To keep it running while you are logged out: loginctl enable-linger " + System.getProperty("user.name"));
                    out.println("Logs: journalctl --user -u zerogate-up; what it holds: zerogate status");
                }
                case LAUNCHD -> {
                    Files.createDirectories(ServiceUnits.launchdLogDirectory(home()));
                    out.println("    launchctl bootstrap gui/$(id -u) " + file);
                    out.println("Logs: " + ServiceUnits.launchdLogDirectory(home()).resolve("up.log") + "; what it holds: zerogate status");
                }
            }
            return 0;
        }
    }

    @Command(name = "uninstall", description = "Remove the service file. Stop it first: systemctl --user disable --now zerogate-up "
            + "(Linux) or launchctl bootout gui/$(id -u)/dev.zerogate.up (macOS).")
    static class Uninstall extends Target implements Callable<Integer> {

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Path file = file();
            if (!Files.deleteIfExists(file)) {
                out.println("No service installed at " + file + ".");
                return 0;
            }
            out.println("Removed " + file + ".");
            out.println(kind() == ServiceUnits.Kind.SYSTEMD
                    ? "If you did not disable it before: systemctl --user stop zerogate-up; then: systemctl --user daemon-reload"
                    : "If it still runs: launchctl bootout gui/$(id -u)/dev.zerogate.up");
            return 0;
        }
    }
}
