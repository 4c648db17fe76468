package dev.zerogate.testkit.netlab;

import dev.zerogate.testkit.netlab.HostCommands.Tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A router's packet filter, as a home or café router has it: its LAN masqueraded to the WAN,
 * and nothing from the WAN let in but answers (established, related); unsolicited packets are
 * dropped silently. With nftables, or iptables where nftables cannot load.
 */
final class NatRules {

    /** Starts the message of a ruleset that did not load, for NetLab.create()'s fallback to iptables. */
    static final String NFT_FAILURE = "nftables ruleset not loaded: ";

    private NatRules() {
    }

    static void apply(NetLab.Firewall firewall, String labId, String routerNamespace) {
        switch (firewall) {
            case NFTABLES -> nftables(labId, routerNamespace);
            case IPTABLES -> iptables(routerNamespace);
        }
    }

    private static void nftables(String labId, String routerNamespace) {
        String ruleset = """
                table ip zglab {
                    chain forward {
                        type filter hook forward priority 0; policy drop;
                        iifname "lan" oifname "wan" accept
                        iifname "wan" oifname "lan" ct state established,related accept
                    }
                    chain input {
                        type filter hook input priority 0; policy accept;
                        iifname "wan" ct state established,related accept
                        iifname "wan" drop
                    }
                    chain postrouting {
                        type nat hook postrouting priority 100; policy accept;
                        oifname "wan" masquerade
                    }
                }
                """;
        Path file = null;
        try {
            file = Files.createTempFile("zglab-" + labId, ".nft");
            Files.writeString(file, ruleset);
            HostCommands.check(Namespaces.inNamespace(routerNamespace, List.of(Tools.require("nft"), "-f", file.toString())));
        } catch (IllegalStateException e) {
            throw new IllegalStateException(NFT_FAILURE + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            HostCommands.deleteQuietly(file);
        }
    }

    private static void iptables(String routerNamespace) {
        String iptables = Tools.require("iptables") + " -w ";
        String rules = String.join(" && ",
                iptables + "-t nat -A POSTROUTING -o wan -j MASQUERADE",
                iptables + "-P FORWARD DROP",
                iptables + "-A FORWARD -i lan -o wan -j ACCEPT",
                iptables + "-A FORWARD -i wan -o lan -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
                iptables + "-A INPUT -i wan -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
                iptables + "-A INPUT -i wan -j DROP");
        HostCommands.check(Namespaces.inNamespace(routerNamespace, List.of("/bin/sh", "-c", rules)));
    }
}
