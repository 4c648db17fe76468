package dev.zerogate.client.tunnel;

import dev.zerogate.client.cli.CliErrors;
import dev.zerogate.client.login.ConfigDirectory;
import dev.zerogate.client.login.CredentialKeeper;
import dev.zerogate.client.login.CredentialStore;
import dev.zerogate.client.login.DeviceCertificate;
import dev.zerogate.client.login.DeviceEnroller;
import dev.zerogate.client.login.DeviceKey;
import dev.zerogate.client.login.LoginCredentials;
import dev.zerogate.client.policy.PolicyCall;
import dev.zerogate.client.policy.PolicyCommand;
import dev.zerogate.client.policy.PolicyEndpoint;
import dev.zerogate.tunnel.netty.RelayDialer;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A command that carries flows through zerogate: it needs, beside policy-svc, the device's key
 * and certificate (from enrolment at login) and the published relays ({@link RelayChoice}). While it runs,
 * a {@link CredentialKeeper} keeps its login alive, a {@link LinkWatch} sends its sessions to
 * be checked after a sleep or a change of address, and a {@link TunnelStatusFile} tells
 * {@code zerogate status} what it holds.
 */
abstract class TunnelCommand extends PolicyCommand {

    @Option(names = "--relay-url", paramLabel = "URL",
            description = "Use only this one of the relays the deployment publishes (default: $" + RelayChoice.ENVIRONMENT
                    + ", else the fastest published relay, the next if it fails).")
    String relayUrl;

    private CredentialKeeper keeper;
    /** Why the session had already ended when the command started, if it had. */
    private String endedAtStart;

    /** The command's work with a ready tunnel client. */
    abstract int run(PolicyCall call, TunnelClient tunnel) throws Exception;

    /** What {@code zerogate status} calls this run, e.g. {@code up 127.0.0.1:1080}. */
    abstract String describeRun();

    /**
     * A tunnel starts even when identity-svc cannot be reached or the session has ended: it is
     * often a background service, and the keeper refreshes once identity-svc answers, or once
     * someone logs in again.
     */
    @Override
    protected LoginCredentials startCredentials(LoginCredentials stored) throws IOException, InterruptedException {
        try {
            return store.fresh(stored, CredentialStore.COMMAND_MARGIN);
        } catch (CredentialStore.SessionEndedException e) {
            endedAtStart = e.getMessage();
            return stored;
        } catch (IOException e) {
            notice("cannot refresh the access token now (" + CliErrors.oneLine(e.getMessage()) + "); retrying in the background");
            return stored;
        }
    }

    @Override
    protected Supplier<String> accessTokens(LoginCredentials start) {
        return () -> keeper != null ? keeper.accessToken() : start.accessToken();
    }

    @Override
    protected final int run(PolicyCall call) throws Exception {
        ConfigDirectory config = store.config();
        RelayChoice relays;
        try {
            relays = RelayChoice.of(call.credentials(), relayUrl, System.getenv(RelayChoice.ENVIRONMENT), access);
        } catch (PolicyEndpoint.UnknownException e) {
            throw usage(e.getMessage());
        }
        DeviceCertificate certificate = DeviceCertificate.load(config);
        DeviceKey deviceKey = DeviceKey.loadOrCreate(config);
        String server = call.credentials().server();
        keeper = new CredentialKeeper(store, call.credentials(), certificate,
                accessToken -> DeviceEnroller.renew(server, access, accessToken, keeper.deviceId(), deviceKey, config),
                Clock.systemUTC(), RandomGenerator.getDefault(), this::notice);
        if (endedAtStart != null) {
            keeper.startEnded(endedAtStart);
        } else if (keeper.deviceId().isEmpty()) {
            throw new IOException("this login is not bound to an enrolled device: log in again with `zerogate login`");
        }
        keeper.start();
        try (CredentialKeeper running = keeper;
             TunnelClient tunnel = new TunnelClient(call.policy(), running, deviceKey, relays, this::notice);
             LinkWatch watch = LinkWatch.ofThisMachine(new LinkWatch.Listener() {
                 @Override
                 public void slept(Duration gap) {
                     tunnel.reconsiderSessions(Set.of(), "the machine slept");
                 }

                 @Override
                 public void addressesChanged(Set<InetAddress> gone, Set<InetAddress> now) {
                     tunnel.reconsiderSessions(gone, "the network changed");
                 }
             });
             TunnelStatusFile status = TunnelStatusFile.start(config, () -> statusEntry(tunnel, running))) {
            watch.start();
            return run(call, tunnel);
        }
    }

    private final long startedAt = java.time.Instant.now().getEpochSecond();

    private TunnelStatusFile.Entry statusEntry(TunnelClient tunnel, CredentialKeeper running) {
        TunnelClient.Snapshot data = tunnel.snapshot();
        CredentialKeeper.Snapshot login = running.snapshot();
        return new TunnelStatusFile.Entry(ProcessHandle.current().pid(), describeRun(), startedAt, java.time.Instant.now().getEpochSecond(),
                data.relay(), data.sessions(), data.openFlows(), data.flowsOpened(), data.flowsFailed(),
                login.accessTokenExpiresAt().getEpochSecond(), login.lastRefreshedAt().getEpochSecond(),
                login.certificateExpiresAt().getEpochSecond(), login.certificateRenewAt().getEpochSecond(), login.ended());
    }

    /** One line for the person on stderr, from any thread. */
    void notice(String message) {
        PrintWriter err = spec.commandLine().getErr();
        synchronized (err) {
            err.println("zerogate: " + message);
            err.flush();
        }
    }

    /** One line for the person about why a flow could not be opened. */
    static String describe(Throwable failure, String destination, int port) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof TunnelClient.FlowDeniedException denied) {
            return "access to " + destination + ":" + port + " denied: " + denied.getMessage();
        }
        if (cause instanceof CredentialStore.SessionEndedException ended) {
            return "no flow to " + destination + ":" + port + ": " + ended.getMessage();
        }
        if (cause instanceof RelayDialer.RelayRefusedException refused) {
            return "the relay refused: " + refused.getMessage();
        }
        if (cause instanceof io.grpc.StatusRuntimeException status) {
            return CliErrors.describe(status, "policy-svc");
        }
        if (cause instanceof javax.net.ssl.SSLException) {
            // BoringSSL reports every failure as a "general problem"; the reason is the innermost cause.
            Throwable reason = cause;
            while (reason.getCause() != null) {
                reason = reason.getCause();
            }
            return "cannot reach " + destination + ":" + port + ": the end-to-end TLS handshake with the connector failed: "
                    + (reason.getMessage() == null ? reason.toString() : reason.getMessage());
        }
        return "cannot reach " + destination + ":" + port + ": " + (cause.getMessage() == null ? cause.toString() : cause.getMessage());
    }
}
