package dev.zerogate.client.login;

import dev.zerogate.proto.identity.v1.AccountServiceGrpc;
import dev.zerogate.proto.identity.v1.ConfirmTotpEnrollmentRequest;
import dev.zerogate.proto.identity.v1.StartTotpEnrollmentRequest;
import dev.zerogate.proto.identity.v1.StartTotpEnrollmentResponse;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code zerogate mfa enroll}: add a TOTP second factor to the logged-in account. */
@Command(name = "mfa", description = "Manage your second factor.", subcommands = MfaCommand.Enroll.class)
public class MfaCommand {

    @Command(name = "enroll", description = "Add an authenticator app (TOTP) as a second factor.")
    static class Enroll implements Callable<Integer> {

        @Option(names = "--code", description = "The 6-digit code, instead of asking for it.")
        String code;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            CredentialStore store = CredentialStore.of(ConfigDirectory.fromEnvironment());
            Optional<LoginCredentials> stored = store.load();
            if (stored.isEmpty()) {
                err.println("zerogate: not logged in. Run: zerogate login");
                return 1;
            }
            LoginCredentials credentials;
            try {
                credentials = store.fresh(stored.get(), CredentialStore.COMMAND_MARGIN);
            } catch (java.io.IOException e) {
                err.println("zerogate: " + e.getMessage());
                return 1;
            }
            try (IdentityChannel identity = new IdentityChannel(credentials.server(), ClientAccess.of(credentials))) {
                var account = AccountServiceGrpc.newBlockingStub(identity.channel());
                String token = credentials.accessToken();
                StartTotpEnrollmentResponse started = IdentityChannel.authorized(account, token)
                        .startTotpEnrollment(StartTotpEnrollmentRequest.getDefaultInstance());
                out.println("Add this account to your authenticator app, by this link (or a QR code of it):");
                out.println("    " + started.getOtpauthUri());
                out.println("or by typing the secret: " + started.getSecret());
                out.print("Then enter the 6-digit code it shows: ");
                out.flush();
                String entered = code != null ? code
                        : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                if (entered == null || entered.isBlank()) {
                    err.println("zerogate: no code entered; nothing changed.");
                    return 1;
                }
                IdentityChannel.authorized(account, token)
                        .confirmTotpEnrollment(ConfirmTotpEnrollmentRequest.newBuilder().setCode(entered.strip()).build());
                out.println();
                out.println("Second factor enabled: logins now ask for a code from the app.");
                return 0;
            } catch (StatusRuntimeException e) {
                err.println("zerogate: " + e.getStatus().getDescription()
                        + (e.getStatus().getCode() == io.grpc.Status.Code.UNAUTHENTICATED ? " (log in again: zerogate login)" : ""));
                return 1;
            }
        }
    }
}
