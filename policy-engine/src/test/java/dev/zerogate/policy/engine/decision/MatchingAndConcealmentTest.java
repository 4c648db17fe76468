package dev.zerogate.policy.engine.decision;

import dev.zerogate.policy.engine.conditions.AccessConditions;
import dev.zerogate.policy.engine.model.PortPolicy;
import dev.zerogate.policy.engine.model.Protocol;
import dev.zerogate.policy.engine.model.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Optional;
import java.util.Random;

import static dev.zerogate.policy.engine.TestPolicies.NOW;
import static dev.zerogate.policy.engine.TestPolicies.group;
import static dev.zerogate.policy.engine.TestPolicies.resource;
import static dev.zerogate.policy.engine.TestPolicies.rule;
import static dev.zerogate.policy.engine.TestPolicies.snapshot;
import static dev.zerogate.policy.engine.TestPolicies.user;
import static dev.zerogate.policy.engine.TestPolicies.withAlias;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which resource a destination matches, and what a deny tells a caller who may not see it. */
class MatchingAndConcealmentTest {

    private final PolicySnapshot policy = snapshot(
            List.of(
                    resource("res-lab", "*.lab.home"),
                    resource("res-deep-lab", "*.k8s.lab.home"),
                    resource("res-dev", "dev.lab.home"),
                    withAlias(resource("res-router", "192.168.1.1"), "router.zg"),
                    withAlias(resource("res-nas", "nas.lan"), "files.lab.home"),
                    resource("res-lan", "192.168.1.0/24"),
                    resource("res-half-lan", "192.168.1.128/25"),
                    resource("res-net10", "10.0.0.0/8"),
                    resource("res-v6-site", "fd00:1::/48"),
                    resource("res-v6-lan", "fd00:1:0:1::/64"),
                    resource("res-v6-host", "fd00:1:0:1::10"),
                    resource("res-hidden", "secret.lan")),
            List.of(group("grp", "alice")),
            List.of(rule("r1", "grp", AccessConditions.NONE, "res-lab", "res-deep-lab", "res-dev", "res-router", "res-nas", "res-lan",
                    "res-half-lan", "res-net10", "res-v6-site", "res-v6-lan", "res-v6-host")));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "dev.lab.home,res-dev",
            "DEV.lab.home.,res-dev",
            "x.dev.lab.home,res-lab",
            "grafana.lab.home,res-lab",
            "a.k8s.lab.home,res-deep-lab",
            "a.b.k8s.lab.home,res-deep-lab",
            "k8s.lab.home,res-lab",
            "files.lab.home,res-nas",
            "router.zg,res-router",
            "192.168.1.1,res-router",
            "::ffff:192.168.1.1,res-router",
            "192.168.1.2,res-lan",
            "192.168.1.127,res-lan",
            "192.168.1.128,res-half-lan",
            "192.168.1.255,res-half-lan",
            "10.255.255.255,res-net10",
            "fd00:1:0:1::10,res-v6-host",
            "FD00:1:0:1:0:0:0:10,res-v6-host",
            "fd00:1:0:1::11,res-v6-lan",
            "fd00:1:0:2::1,res-v6-site",
            "fd00:1:0:ffff::1,res-v6-site",
    })
    void mostSpecificResourceWins(String destination, String expectedResource) {
        Decision decision = policy.decide(user("alice"), Optional.empty(), destination, 443, Protocol.TCP, NOW);
        assertTrue(decision.isPermit(), decision.reason());
        assertEquals(Optional.of(expectedResource), decision.resource().map(Resource::id));
    }

    @ParameterizedTest(name = "{0} matches nothing")
    @CsvSource({
            "lab.home",
            "k8s.lab.home.evil",
            "192.168.2.1",
            "11.0.0.1",
            "fd00:2::1",
            "fd00:1:ffff::1",
            "nas",
            "router",
    })
    void destinationsOutsideEveryResourceMatchNothing(String destination) {
        assertEquals(Optional.empty(), policy.mostSpecificResource(destination));
    }

    @Test
    void hostNameNeverMatchesAnIpResourceEvenIfItResolvesThere() {
        PolicySnapshot ipOnly = snapshot(List.of(resource("res-ip", "192.168.1.10")), List.of(group("grp", "alice")),
                List.of(rule("r1", "grp", AccessConditions.NONE, "res-ip")));
        assertEquals(DenyReason.NO_MATCHING_RESOURCE,
                ipOnly.decide(user("alice"), Optional.empty(), "server.lan", 22, Protocol.TCP, NOW).denyReason());
    }

    @Test
    void hiddenMatchLooksExactlyLikeNoMatch() {
        Decision hidden = policy.decide(user("alice"), Optional.empty(), "secret.lan", 22, Protocol.TCP, NOW);
        PolicySnapshot withoutTheResource = snapshot(List.of(resource("res-other", "other.lan")), List.of(), List.of());
        Decision missing = withoutTheResource.decide(user("alice"), Optional.empty(), "secret.lan", 22, Protocol.TCP, NOW);
        assertEquals(callerView(missing), callerView(hidden));
        assertEquals(Optional.of("res-hidden"), hidden.concealed().map(c -> c.resource().id()));
        assertEquals(Optional.empty(), missing.concealed());
    }

    @Test
    void hiddenMatchDoesNotRevealItsPortsEither() {
        Resource sshOnly = resource("res-ssh", "server.lan", PortPolicy.listed("22"), PortPolicy.NONE, false);
        PolicySnapshot policy = snapshot(List.of(sshOnly), List.of(group("grp", "bob")),
                List.of(rule("r1", "grp", AccessConditions.NONE, "res-ssh")));
        Decision wrongPort = policy.decide(user("alice"), Optional.empty(), "server.lan", 80, Protocol.TCP, NOW);
        Decision rightPort = policy.decide(user("alice"), Optional.empty(), "server.lan", 22, Protocol.TCP, NOW);
        assertEquals(callerView(rightPort), callerView(wrongPort));
        assertEquals(DenyReason.NO_MATCHING_RESOURCE, wrongPort.denyReason());
    }

    @Test
    void moreSpecificHiddenResourceIsNotBypassedThroughTheWildcard() {
        PolicySnapshot carved = snapshot(List.of(resource("res-lab", "*.lab.home"), resource("res-vault", "vault.lab.home")),
                List.of(group("grp", "alice")), List.of(rule("r1", "grp", AccessConditions.NONE, "res-lab")));
        Decision decision = carved.decide(user("alice"), Optional.empty(), "vault.lab.home", 443, Protocol.TCP, NOW);
        assertEquals(DenyReason.NO_MATCHING_RESOURCE, decision.denyReason());
        assertTrue(carved.decide(user("alice"), Optional.empty(), "wiki.lab.home", 443, Protocol.TCP, NOW).isPermit());
    }

    @Test
    void everyNonPermitNamesNoResourceUnlessTheCallerHasARuleForIt() {
        assertEquals(Optional.empty(),
                policy.decide(user("mallory"), Optional.empty(), "dev.lab.home", 22, Protocol.TCP, NOW).resource());
        assertEquals(Optional.empty(),
                policy.decide(user("mallory"), Optional.empty(), "dev.lab.home", 22, Protocol.TCP, NOW).rule());
    }

    @Test
    void snapshotRefusesTwoResourcesWithOneAddressOrAlias() {
        assertThrows(IllegalArgumentException.class, () -> snapshot(
                List.of(resource("a", "fd00::1"), resource("b", "FD00:0::1")), List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> snapshot(
                List.of(resource("a", "nas.lan"), withAlias(resource("b", "10.0.0.5"), "NAS.lan")), List.of(), List.of()));
    }

    @Test
    void decideNeverThrowsOnHostileInput() {
        Random random = new Random(42);
        String alphabet = "ab.-:*/%[] 0123456789fF\u00e9\u0000\n";
        Protocol[] protocols = Protocol.values();
        for (int i = 0; i < 20_000; i++) {
            StringBuilder destination = new StringBuilder();
            int length = random.nextInt(i % 100 == 0 ? 400 : 20);
            for (int j = 0; j < length; j++) {
                destination.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            int port = random.nextInt(70_000) - 2_000;
            Protocol protocol = random.nextInt(10) == 0 ? null : protocols[random.nextInt(protocols.length)];
            Decision decision = assertDoesNotThrow(() -> policy.decide(user("alice"), Optional.empty(), destination.toString(), port,
                    protocol, NOW));
            if (decision.isPermit()) {
                assertTrue(protocol != null && protocol != Protocol.UNSPECIFIED, "permitted protocol " + protocol);
            }
        }
        assertFalse(assertDoesNotThrow(() -> policy.decide(null, null, null, 0, null, null)).isPermit());
        assertFalse(assertDoesNotThrow(() -> policy.decide(user("alice"), Optional.empty(), "dev.lab.home", 443, Protocol.TCP, null))
                .isPermit());
    }

    /** Everything the gRPC adapter may send back to the caller. */
    private static List<Object> callerView(Decision decision) {
        return List.of(decision.verdict(), decision.denyReason(), decision.resource(), decision.rule(), decision.reason(),
                decision.notAfter(), decision.invalidRequest());
    }
}
