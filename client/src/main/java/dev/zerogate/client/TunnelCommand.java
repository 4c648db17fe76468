package dev.zerogate.client;

import dev.zerogate.tunnel.netty.RelayDialer;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A command that carries flows through zerogate: it needs, beside policy-svc, the device's key
 * and certificate (from enrolment at login) and a relay ({@link RelayEndpoint}).
 */
abstract class TunnelCommand extends PolicyCommand {

    @Option(names = "--relay-url", paramLabel = "URL",
            description = "The relay's URL (default: $" + RelayEndpoint.ENVIRONMENT + ", else " + RelayEndpoint.LOCAL_RELAY_URL
                    + " for a local run).")
    String relayUrl;

    /** The command's work with a ready tunnel client. */
    abstract int run(Session session, TunnelClient tunnel) throws Exception;

    @Override
    final int run(Session session) throws Exception {
        ConfigDirectory config = ConfigDirectory.fromEnvironment();
        String url;
        try {
            url = RelayEndpoint.resolve(relayUrl, System.getenv(RelayEndpoint.ENVIRONMENT), session.credentials());
        } catch (PolicyEndpoint.UnknownException e) {
            throw usage(e.getMessage());
        }
        AccessTokenView token = AccessTokenView.decode(session.credentials().accessToken());
        if (token.deviceId().isEmpty()) {
            throw new IOException("this login is not bound to an enrolled device: log in again with `zerogate login`");
        }
        List<List<X509Certificate>> certificates;
        try {
            certificates = TunnelClient.deviceCertificates(config);
        } catch (GeneralSecurityException e) {
            throw new IOException("the device certificate cannot be read: log in again with `zerogate login`");
        }
        RelayEndpoint.Relay relay = RelayEndpoint.load(url, config);
        try (TunnelClient tunnel = new TunnelClient(session.policy(), token.deviceId(), DeviceKey.loadOrCreate(config),
                certificates.get(0), certificates.get(1), relay)) {
            return run(session, tunnel);
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
