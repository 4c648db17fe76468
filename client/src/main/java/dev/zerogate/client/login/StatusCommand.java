package dev.zerogate.client.login;

import dev.zerogate.client.policy.PolicyEndpoint;
import dev.zerogate.client.tunnel.TunnelStatusFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code zerogate status}: who is logged in, on which device, until when; and what each running
 * {@code up}, {@code forward} or {@code connect} of this configuration holds (its relay, its
 * login's and certificate's expiry, its flows), from {@link TunnelStatusFile}.
 */
@Command(name = "status", description = "Show who is logged in on this device, until when, and what running tunnels hold.")
public class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ConfigDirectory config = ConfigDirectory.fromEnvironment();
        Optional<LoginCredentials> credentials = LoginCredentials.load(config);
        if (credentials.isEmpty()) {
            out.println("Not logged in. Run: zerogate login");
            return 1;
        }
        AccessTokenView token = AccessTokenView.decode(credentials.get().accessToken());
        DeviceKey deviceKey = DeviceKey.loadOrCreate(config);
        out.printf("Logged in as %s (user %s)%n", token.username(), token.subject());
        out.printf("Server:      %s%n", credentials.get().server());
        String policy;
        try {
            policy = PolicyEndpoint.resolve(null, System.getenv(PolicyEndpoint.ENVIRONMENT), credentials.get(),
                    ClientAccess.of(credentials.get()).urls());
        } catch (PolicyEndpoint.UnknownException | java.io.IOException e) {
            policy = e.getMessage();
        }
        out.printf("Policy:      %s%n", policy);
        out.printf("Relays:      %s%n", credentials.get().fromDiscovery()
                ? credentials.get().relays().stream().map(LoginCredentials.SavedRelay::url).toList() : LoginCredentials.LOG_IN_AGAIN);
        out.printf("Session:     %s%n", token.sessionId());
        out.printf("Device key:  %s%s%n", deviceKey.thumbprint(),
                token.deviceKeyThumbprint().equals(deviceKey.thumbprint()) ? " (the session is bound to it)" : " (NOT the key the session is bound to)");
        java.nio.file.Path certificate = config.path(DeviceEnroller.CERTIFICATE_FILE);
        if (java.nio.file.Files.exists(certificate)) {
            try (var in = java.nio.file.Files.newInputStream(certificate)) {
                var x509 = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
                out.printf("Device cert: %s, valid until %s%n", x509.getSubjectX500Principal().getName(), x509.getNotAfter().toInstant());
            }
        } else {
            out.println("Device cert: none (not enrolled; run zerogate login)");
        }
        boolean expired = token.expiresAt().isBefore(Instant.now());
        out.printf("Access:      %s %s%n", expired ? "expired at" : "valid until", token.expiresAt());
        TunnelStatusFile.printRunning(out, config);
        return 0;
    }
}
