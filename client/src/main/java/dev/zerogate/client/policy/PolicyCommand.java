package dev.zerogate.client.policy;

import dev.zerogate.client.cli.CliErrors;
import dev.zerogate.client.login.ClientAccess;
import dev.zerogate.client.login.ConfigDirectory;
import dev.zerogate.client.login.CredentialStore;
import dev.zerogate.client.login.LoginCredentials;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A command that calls policy-svc as the logged-in person. In order: the arguments are
 * checked ({@link #checkArguments}, a usage error before anything else), the credentials
 * loaded and refreshed if about to expire, policy-svc's URL resolved ({@link PolicyEndpoint}),
 * then {@link #run} is called with a channel sending the access token. Failed calls become one
 * line on stderr ({@link CliErrors}). A {@code --policy-url} given on the command line is saved
 * with the credentials once a call through it has worked, so a typo is not remembered.
 */
public abstract class PolicyCommand implements Callable<Integer> {

    @Option(names = "--policy-url", paramLabel = "URL",
            description = "policy-svc's gRPC URL (https://, or http:// on this machine); default: $" + PolicyEndpoint.ENVIRONMENT
                    + ", else the one saved at login.")
    String policyUrl;

    @Spec
    protected CommandSpec spec;

    /** This configuration directory's credentials, shared with every other zerogate process. */
    protected CredentialStore store;

    /** How this command reaches the deployment (trust, URL policy), from the login and the environment. */
    protected ClientAccess access;

    /** Checks that picocli's annotations cannot express; throw {@link #usage} to refuse. */
    protected void checkArguments() {
    }

    /** The command's work; gRPC failures may escape, they are reported for it. Returns the exit code. */
    protected abstract int run(PolicyCall call) throws Exception;

    /** A usage error (exit 2) about this command's arguments. */
    protected ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    @Override
    public final Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        checkArguments();
        store = CredentialStore.of(ConfigDirectory.fromEnvironment());
        Optional<LoginCredentials> stored = store.load();
        if (stored.isEmpty()) {
            err.println("zerogate: not logged in. Run: zerogate login");
            return CliErrors.FAILED;
        }
        if (!stored.get().fromDiscovery()) {
            err.println("zerogate: " + LoginCredentials.LOG_IN_AGAIN);
            return CliErrors.FAILED;
        }
        String url;
        try {
            access = ClientAccess.of(stored.get());
            url = PolicyEndpoint.resolve(policyUrl, System.getenv(PolicyEndpoint.ENVIRONMENT), stored.get(), access.urls());
        } catch (PolicyEndpoint.UnknownException e) {
            err.println("zerogate: " + e.getMessage());
            return CliErrors.USAGE;
        } catch (IOException e) {
            err.println("zerogate: " + CliErrors.oneLine(e.getMessage()));
            return CliErrors.FAILED;
        }
        LoginCredentials credentials;
        try {
            credentials = startCredentials(stored.get());
        } catch (IOException e) {
            err.println("zerogate: " + CliErrors.oneLine(e.getMessage()));
            return CliErrors.FAILED;
        }
        int exit;
        try (PolicyChannel policy = new PolicyChannel(url, accessTokens(credentials), access.trust())) {
            exit = run(new PolicyCall(policy, credentials, out));
        } catch (StatusRuntimeException e) {
            err.println("zerogate: " + CliErrors.describe(e, url));
            return CliErrors.FAILED;
        } finally {
            out.flush();
        }
        if (exit == 0 && policyUrl != null && !url.equals(credentials.policyUrl())) {
            store.rememberPolicyUrl(url);
        }
        return exit;
    }

    /** The credentials the command starts with: refreshed (under the lock) if about to expire. */
    protected LoginCredentials startCredentials(LoginCredentials stored) throws IOException, InterruptedException {
        return store.fresh(stored, CredentialStore.COMMAND_MARGIN);
    }

    /** Where every call's access token comes from: for a short command, the one it started with. */
    protected Supplier<String> accessTokens(LoginCredentials start) {
        return start::accessToken;
    }

    /**
     * Every item of a paged listing, following next_page_token until it is empty. A server that
     * hands back a token it gave before would loop forever; that ends the listing instead.
     */
    public static <R, T> List<T> allPages(Function<String, R> fetch, Function<R, List<T>> items, Function<R, String> next) {
        List<T> all = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String token = "";
        do {
            R page = fetch.apply(token);
            all.addAll(items.apply(page));
            token = next.apply(page);
        } while (!token.isEmpty() && seen.add(token));
        return all;
    }

    /** Page size for listings the CLI reads whole: the contract's maximum, fewest round trips. */
    public static final int PAGE_SIZE = 1000;
}
