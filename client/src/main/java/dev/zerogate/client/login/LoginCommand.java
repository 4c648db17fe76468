package dev.zerogate.client.login;

import dev.zerogate.edge.DeploymentConfiguration;
import dev.zerogate.edge.DiscoveryClient;
import dev.zerogate.edge.TrustMaterial;
import dev.zerogate.edge.UrlPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code zerogate login [URL]}: reads the deployment's discovery document at the one URL
 * (ADR 0016), then the device login (RFC 8628) at its identity URL. Prints a link and a code,
 * opens a browser where there is one, waits at the interval the server asks for, and stores
 * the tokens (bound to this device's key) with the policy URL and the published relays and
 * their keys in the config directory; later commands use only these.
 */
@Command(name = "login", description = "Log in to zerogate from this device.")
public class LoginCommand implements Callable<Integer> {

    /** Where a local run (./zerogate-local) serves identity-svc. */
    static final String LOCAL_SERVER = "http://127.0.0.1:7401";
    /** The one URL of a deployment, as a connector's docker run line also names it. */
    static final String URL_ENVIRONMENT = "ZEROGATE_URL";

    @Parameters(index = "0", arity = "0..1", paramLabel = "URL",
            description = "Your zerogate's URL, e.g. https://zg.example.com (default: $" + URL_ENVIRONMENT
                    + ", else the last one used, else " + LOCAL_SERVER + ").")
    String url;

    @Option(names = "--server", paramLabel = "URL", description = "The same as the URL argument (kept for scripts).")
    String server;

    @Option(names = "--no-browser", description = "Only print the link; do not try to open a browser.")
    boolean noBrowser;

    @Option(names = "--policy-url", paramLabel = "URL",
            description = "policy-svc's gRPC URL, saved for `resources` and `admin` instead of the one the deployment publishes.")
    String policyUrl;

    @Option(names = "--ca-file", paramLabel = "PEM",
            description = "Also trust the CA certificates in this PEM file (a private CA); remembered for later commands."
                    + " Default: $" + TrustMaterial.CA_FILE_ENVIRONMENT + ".")
    String caFile;

    @Option(names = "--insecure-http",
            description = "Allow plain http:// to hosts other than this machine (a lab only: tokens cross the network in clear);"
                    + " remembered for later commands.")
    boolean insecureHttp;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ConfigDirectory config = ConfigDirectory.fromEnvironment();
        CredentialStore store = CredentialStore.of(config);
        java.util.Optional<LoginCredentials> previous = store.load();
        String environmentUrl = System.getenv(URL_ENVIRONMENT);
        String chosen = url != null ? url : server != null ? server
                : environmentUrl != null && !environmentUrl.isBlank() ? environmentUrl
                : previous.map(LoginCredentials::server).orElse(LOCAL_SERVER);
        String source = url != null ? "the URL" : server != null ? "--server" : environmentUrl != null && !environmentUrl.isBlank()
                ? URL_ENVIRONMENT : "the saved URL";
        String savedCaFile = caFile == null ? null : Path.of(caFile).toAbsolutePath().toString();
        DeploymentConfiguration deployment;
        ClientAccess access;
        try {
            access = ClientAccess.forLogin(savedCaFile, insecureHttp);
            if (policyUrl != null) {
                policyUrl = access.urls().check(policyUrl, "--policy-url").toString();
            }
            deployment = new DiscoveryClient(access.trust(), access.urls()).fetch(chosen, source);
        } catch (UrlPolicy.RefusedUrlException | java.io.IOException e) {
            err.println("zerogate: " + e.getMessage());
            return e instanceof UrlPolicy.RefusedUrlException ? 2 : 1;
        }
        String identityUrl = deployment.identityUrl().toString();
        String savedPolicyUrl = policyUrl != null ? policyUrl : deployment.policyUrl().toString();
        List<LoginCredentials.SavedRelay> relays = deployment.relays().stream()
                .map(relay -> new LoginCredentials.SavedRelay(relay.url().toString(), relay.preambleKey())).toList();
        DeviceKey deviceKey = DeviceKey.loadOrCreate(config);
        IdentityClient identity;
        try {
            identity = new IdentityClient(identityUrl, access);
        } catch (IdentityClient.UnreachableException e) {
            err.println("zerogate: " + e.getMessage());
            return 1;
        }
        IdentityClient.DeviceLogin login;
        try {
            login = identity.startDeviceLogin(deviceKey.thumbprint());
        } catch (IdentityClient.UnreachableException e) {
            err.println("zerogate: " + e.getMessage());
            return 1;
        }
        out.println("To log in, open this link in a browser:");
        out.println();
        out.println("    " + login.verificationUriComplete());
        out.println();
        out.println("and check that the page shows the code " + login.userCode() + " before you approve.");
        out.println("Waiting for approval (up to " + login.expiresIn() / 60 + " minutes)...");
        out.flush();
        if (!noBrowser) {
            BrowserOpener.tryOpen(login.verificationUriComplete());
        }
        long interval = login.interval();
        Instant deadline = Instant.now().plusSeconds(login.expiresIn());
        while (Instant.now().isBefore(deadline)) {
            Thread.sleep(interval * 1000);
            IdentityClient.TokenAnswer answer;
            try {
                answer = identity.pollDeviceLogin(login.deviceCode());
            } catch (IdentityClient.UnreachableException e) {
                err.println("zerogate: " + e.getMessage() + " (retrying)");
                continue;
            }
            if (answer.ok()) {
                LoginCredentials credentials = new LoginCredentials(identityUrl, answer.accessToken(), answer.refreshToken(),
                        Instant.now().plusSeconds(answer.expiresIn()).getEpochSecond(), savedPolicyUrl, relays, savedCaFile, insecureHttp);
                store.save(credentials);
                AccessTokenView token = AccessTokenView.decode(answer.accessToken());
                out.println("Logged in as " + token.username() + ".");
                try {
                    var enrolled = DeviceEnroller.enroll(identityUrl, access, answer.accessToken(), deviceKey, config);
                    out.println("Device " + enrolled.getDevice().getName() + " enrolled (certificate valid until "
                            + Instant.ofEpochSecond(enrolled.getCertificate().getNotAfter().getSeconds()) + ").");
                    // The token above predates the device; tunnels need one that names it.
                    store.refreshNow();
                } catch (Exception e) {
                    err.println("zerogate: logged in, but " + e.getMessage() + "; run zerogate login again to retry.");
                    return 1;
                }
                return 0;
            }
            switch (answer.error()) {
                case "authorization_pending" -> { }
                case "slow_down" -> interval += 5;
                case "access_denied" -> {
                    err.println("zerogate: the login was denied in the browser.");
                    return 1;
                }
                case "expired_token" -> {
                    err.println("zerogate: the login expired before it was approved; run zerogate login again.");
                    return 1;
                }
                default -> {
                    err.println("zerogate: login failed: " + answer.error() + " " + answer.errorDescription());
                    return 1;
                }
            }
        }
        err.println("zerogate: the login expired before it was approved; run zerogate login again.");
        return 1;
    }
}
