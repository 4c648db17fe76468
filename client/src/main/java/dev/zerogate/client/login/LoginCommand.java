package dev.zerogate.client.login;

import dev.zerogate.client.policy.PolicyEndpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * {@code zerogate login}: the device login (RFC 8628). Prints a link and a code, opens a
 * browser where there is one, waits at the interval the server asks for, and stores the
 * tokens (bound to this device's key) in the config directory.
 */
@Command(name = "login", description = "Log in to zerogate from this device.")
public class LoginCommand implements Callable<Integer> {

    /** Where a local run (./zerogate-local) serves identity-svc. */
    static final String LOCAL_SERVER = "http://127.0.0.1:7401";

    @Option(names = "--server", description = "identity-svc's URL (default: the last one used, else " + LOCAL_SERVER + ")")
    String server;

    @Option(names = "--no-browser", description = "Only print the link; do not try to open a browser.")
    boolean noBrowser;

    @Option(names = "--policy-url", paramLabel = "URL",
            description = "policy-svc's gRPC URL, saved for `resources` and `admin` (default: the one saved for this server; "
                    + "for a local run " + PolicyEndpoint.LOCAL_POLICY_URL + ")")
    String policyUrl;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ConfigDirectory config = ConfigDirectory.fromEnvironment();
        CredentialStore store = CredentialStore.of(config);
        java.util.Optional<LoginCredentials> previous = store.load();
        if (server == null) {
            server = previous.map(LoginCredentials::server).orElse(LOCAL_SERVER);
        }
        if (policyUrl != null) {
            try {
                policyUrl = PolicyEndpoint.validate(policyUrl, "--policy-url");
            } catch (PolicyEndpoint.UnknownException e) {
                err.println("zerogate: " + e.getMessage());
                return 2;
            }
        } else {
            // A saved policy URL belongs to the installation of the saved server; keep it only for that one.
            String keptServer = server;
            policyUrl = previous.filter(c -> c.server().equals(keptServer)).map(LoginCredentials::policyUrl).orElse(null);
        }
        DeviceKey deviceKey = DeviceKey.loadOrCreate(config);
        IdentityClient identity = new IdentityClient(server);
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
                LoginCredentials credentials = new LoginCredentials(server, answer.accessToken(), answer.refreshToken(),
                        Instant.now().plusSeconds(answer.expiresIn()).getEpochSecond(), policyUrl);
                store.save(credentials);
                AccessTokenView token = AccessTokenView.decode(answer.accessToken());
                out.println("Logged in as " + token.username() + ".");
                try {
                    var enrolled = DeviceEnroller.enroll(server, answer.accessToken(), deviceKey, config);
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
