package dev.zerogate.client.tunnel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The per-user service definitions of {@code zerogate up}: a systemd user unit (Linux) and a
 * launchd agent (macOS), rendered from the templates shipped in {@code deploy/client/} with
 * this machine's command line for zerogate, the proxy's options and the environment that
 * points zerogate at its configuration.
 */
final class ServiceUnits {

    /** The service managers zerogate installs into. */
    enum Kind {
        SYSTEMD("systemd/zerogate-up.service"),
        LAUNCHD("launchd/dev.zerogate.up.plist");

        final String template;

        Kind(String template) {
            this.template = template;
        }

        /** This machine's: launchd on macOS, systemd elsewhere. */
        static Kind forThisMachine() {
            return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac") ? LAUNCHD : SYSTEMD;
        }
    }

    /**
     * The environment variables a service keeps from the installing shell: where zerogate's files and
     * servers are, and how it reaches them (a private CA, plain http:// in a lab).
     */
    static final List<String> KEPT_ENVIRONMENT = List.of("ZEROGATE_CONFIG_DIR", "XDG_CONFIG_HOME", "ZEROGATE_POLICY_URL",
            "ZEROGATE_RELAY_URL", "ZEROGATE_CA_FILE", "ZEROGATE_INSECURE_HTTP");

    /** What goes into a unit. */
    record Settings(List<String> command, String listen, String others, Map<String, String> environment, Path home) {
    }

    private ServiceUnits() {
    }

    /** Where {@code kind}'s file goes for the user whose home is {@code home}. */
    static Path location(Kind kind, Path home, Optional<String> xdgConfigHome) {
        return switch (kind) {
            case SYSTEMD -> xdgConfigHome.filter(s -> !s.isBlank()).map(Path::of).orElse(home.resolve(".config"))
                    .resolve("systemd/user/zerogate-up.service");
            case LAUNCHD -> home.resolve("Library/LaunchAgents/dev.zerogate.up.plist");
        };
    }

    /** Where a launchd agent's output goes (systemd's goes to the journal). */
    static Path launchdLogDirectory(Path home) {
        return home.resolve("Library/Logs/zerogate");
    }

    static String render(Kind kind, Settings settings) throws IOException {
        String template = template(kind);
        return switch (kind) {
            case SYSTEMD -> template
                    .replace("{{COMMAND}}", settings.command().stream().map(ServiceUnits::systemdWord).collect(Collectors.joining(" ")))
                    .replace("{{LISTEN}}", systemdWord(settings.listen()))
                    .replace("{{OTHERS}}", systemdWord(settings.others()))
                    .replace("{{ENVIRONMENT}}", settings.environment().entrySet().stream()
                            .map(e -> "Environment=" + systemdWord(e.getKey() + "=" + e.getValue()))
                            .collect(Collectors.joining("\n")));
            case LAUNCHD -> {
                List<String> arguments = new ArrayList<>(settings.command());
                arguments.addAll(List.of("up", "--listen", settings.listen(), "--others", settings.others()));
                yield template
                        .replace("{{PROGRAM_ARGUMENTS}}", arguments.stream().map(a -> "    <string>" + xml(a) + "</string>")
                                .collect(Collectors.joining("\n")))
                        .replace("{{ENVIRONMENT}}", settings.environment().entrySet().stream()
                                .map(e -> "    <key>" + xml(e.getKey()) + "</key>\n    <string>" + xml(e.getValue()) + "</string>")
                                .collect(Collectors.joining("\n")))
                        .replace("{{LOG_DIR}}", xml(launchdLogDirectory(settings.home()).toString()));
            }
        };
    }

    /**
     * How this process was started, as a command a service manager can run: the same Java and
     * the Quarkus launcher next to the classes running now ({@code quarkus-app/quarkus-run.jar}).
     */
    static Optional<List<String>> thisCommand() {
        Optional<String> java = ProcessHandle.current().info().command();
        try {
            Path classes = Path.of(ServiceUnits.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = classes.getParent(); dir != null; dir = dir.getParent()) {
                Path launcher = dir.resolve("quarkus-run.jar");
                if (Files.isRegularFile(launcher) && java.isPresent()) {
                    return Optional.of(List.of(java.get(), "-jar", launcher.toAbsolutePath().toString()));
                }
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // Not run from a packaged CLI: the caller asks for --exec.
        }
        return Optional.empty();
    }

    private static String template(Kind kind) throws IOException {
        try (InputStream in = ServiceUnits.class.getResourceAsStream("service/" + kind.template)) {
            if (in == null) {
                throw new IOException("the " + kind.name().toLowerCase(Locale.ROOT) + " template is missing from this build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * One word of a systemd command line or assignment: quoted when it holds anything systemd
     * would split or expand (spaces, quotes, backslashes, {@code %} specifiers, {@code $}).
     */
    static String systemdWord(String word) {
        String escaped = word.replace("%", "%%").replace("$", "$$");
        if (escaped.chars().noneMatch(c -> Character.isWhitespace(c) || c == '"' || c == '\'' || c == '\\' || c == ';')) {
            return escaped;
        }
        return "\"" + escaped.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
