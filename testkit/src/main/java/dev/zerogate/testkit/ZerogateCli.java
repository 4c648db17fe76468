package dev.zerogate.testkit;

import dev.zerogate.runkit.IdentityLogin;
import dev.zerogate.runkit.CurrentJava;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged {@code zerogate} CLI ({@code client/target/quarkus-app/quarkus-run.jar}) run as
 * a person runs it, with a config directory of the caller's: for tests and benchmarks that
 * drive the real command line against a real stack.
 */
public final class ZerogateCli {

    private static final Pattern USER_CODE = Pattern.compile("user_code=([A-Z]{4}-[A-Z]{4})");

    private final Path application;
    private final Path configDir;

    private ZerogateCli(Path application, Path configDir) {
        this.application = application;
        this.configDir = configDir;
    }

    /** The CLI packaged in the checkout {@code projectDir}, keeping its files in {@code configDir}. */
    public static ZerogateCli packaged(Path projectDir, Path configDir) {
        return new ZerogateCli(projectDir.resolve("client/target/quarkus-app/quarkus-run.jar"), configDir);
    }

    /**
     * The command line for {@code args}, standard error merged into standard output; none of
     * the caller's ZEROGATE_* settings leak in, so that only the arguments and the config
     * directory decide.
     */
    public ProcessBuilder command(String... args) {
        List<String> command = new ArrayList<>(List.of(CurrentJava.command(), "-jar", application.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("ZEROGATE_") || name.equals("DISPLAY"));
        builder.environment().put("ZEROGATE_CONFIG_DIR", configDir.toString());
        return builder;
    }

    /**
     * {@code zerogate login --no-browser} against identity-svc at {@code identityUrl} (policy-svc at
     * {@code policyUrl}), approved as {@code username} with {@code password} on identity-svc's
     * device page as soon as the CLI prints its code; returns the CLI's output once it has logged
     * in and enrolled this device. Throws with that output when it did not.
     */
    public String login(String identityUrl, String policyUrl, String username, String password, Duration timeout)
            throws IOException, InterruptedException {
        Process login = command("login", "--server", identityUrl, "--policy-url", policyUrl, "--no-browser").start();
        // Bounded: a login that hangs is stopped, which ends the reading below.
        login.onExit().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionally(late -> {
            login.destroyForcibly();
            return login;
        });
        StringBuilder output = new StringBuilder();
        boolean approved = false;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(login.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                output.append(line).append('\n');
                Matcher code = USER_CODE.matcher(line);
                if (code.find() && !approved) {
                    IdentityLogin.at(identityUrl).approve(code.group(1), username, password);
                    approved = true;
                }
            }
        }
        if (!login.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || login.exitValue() != 0 || !output.toString().contains("enrolled")) {
            throw new IOException("zerogate login did not log in and enrol this device:\n" + output);
        }
        return output.toString();
    }
}
