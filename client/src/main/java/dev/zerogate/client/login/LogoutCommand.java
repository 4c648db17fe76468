package dev.zerogate.client.login;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code zerogate logout}: ends the session at the server, then deletes the local credentials. */
@Command(name = "logout", description = "End this device's session and delete its credentials.")
public class LogoutCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ConfigDirectory config = ConfigDirectory.fromEnvironment();
        CredentialStore store = CredentialStore.of(config);
        Optional<LoginCredentials> credentials = store.load();
        if (credentials.isEmpty()) {
            out.println("Not logged in.");
            return 0;
        }
        int exit = 0;
        try {
            new IdentityClient(credentials.get().server(), ClientAccess.of(credentials.get())).revoke(credentials.get().refreshToken());
        } catch (IdentityClient.UnreachableException e) {
            // Deleting locally is still right; say that the server may keep the session alive.
            err.println("zerogate: " + e.getMessage() + "; the session could not be ended at the server.");
            exit = 1;
        }
        store.delete();
        java.nio.file.Files.deleteIfExists(config.path(DeviceEnroller.CERTIFICATE_FILE));
        out.println("Logged out; credentials deleted.");
        return exit;
    }
}
