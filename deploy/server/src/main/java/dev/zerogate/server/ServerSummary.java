package dev.zerogate.server;

import java.io.PrintStream;

/** What a started server prints: where everything is, and the next steps in the order a person takes them. */
final class ServerSummary {

    private ServerSummary() {
    }

    static void print(ServerOptions options, ServerStack stack, PrintStream out) {
        String url = options.base();
        String listen = options.listenHost();
        out.println();
        out.println("zerogate is serving " + url + (options.behindProxy() ? " (through the reverse proxy on this host)" : ""));
        out.printf("  %-12s %-36s %s%n", "PART", "PUBLIC URL", "LISTENS ON");
        out.printf("  %-12s %-36s %s%n", "identity", url, listen + ":" + options.identityPort());
        out.printf("  %-12s %-36s %s%n", "policy", options.clientPolicyUrl(), listen + ":" + options.policyPort());
        out.printf("  %-12s %-36s %s  (key %s)%n", "relay", options.clientRelayUrl(), listen + ":" + options.relayPort(),
                stack.relayKey().keyIdText());
        options.embeddedPostgresPort().ifPresent(port -> out.printf("  %-12s %-36s %s%n", "postgresql", "-", "127.0.0.1:" + port));
        out.println("  discovery: " + url + "/.well-known/zerogate-configuration");
        out.println();
        stack.setupLink().ifPresent(link -> {
            out.println("No admin exists yet. Create one with this one-time link (valid 24 h):");
            out.println("  " + link);
            out.println();
        });
        out.println("Next, on your laptop:");
        out.println("  zerogate login " + url);
        out.println("  zerogate admin networks create Home");
        out.println("  zerogate admin connectors create --network <network id> --name pi   (prints the connector's run lines)");
        out.println("then start the connector on a machine inside that network, and add resources and rules (zerogate admin --help).");
        out.println();
        out.println("home: " + options.home() + "   logs: " + options.logDir());
        out.flush();
    }
}
