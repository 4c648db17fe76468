package dev.zerogate.relay;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Prints the public preamble key of a relay's state directory and exits, without starting the
 * service (for scripts that write identity-svc's {@code ZEROGATE_PUBLIC_RELAYS}):
 * {@code java -cp 'relay-svc/target/quarkus-app/app/*:relay-svc/target/quarkus-app/lib/main/*' dev.zerogate.relay.PrintRelayKey <state-dir>}.
 * Exit status 2 when the directory holds no key yet (the relay makes one at its first start).
 */
public final class PrintRelayKey {

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: PrintRelayKey <relay state directory>   (ZEROGATE_RELAY_STATE_DIR, default ~/.zerogate/relay)");
            System.exit(64);
        }
        try {
            System.out.println(RelayKeys.publicKeyIn(Path.of(args[0])));
        } catch (NoSuchFileException e) {
            System.err.println("no relay key in " + args[0] + " yet: the relay makes it at its first start");
            System.exit(2);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("cannot read the relay key in " + args[0] + ": " + e.getMessage());
            System.exit(1);
        }
    }

    private PrintRelayKey() {
    }
}
