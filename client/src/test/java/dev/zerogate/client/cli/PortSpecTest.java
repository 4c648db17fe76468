package dev.zerogate.client.cli;

import dev.zerogate.proto.policy.v1.NoPorts;
import dev.zerogate.proto.policy.v1.PortPolicy;
import dev.zerogate.proto.policy.v1.PortRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortSpecTest {

    private static PortRange range(int first, int last) {
        return PortRange.newBuilder().setFirstPort(first).setLastPort(last).build();
    }

    @Test
    void parsesPortsAndInclusiveRangesInTheOrderWritten() {
        PortPolicy policy = PortSpec.parse("22,80,8000-8080");
        assertEquals(PortPolicy.ModeCase.LISTED, policy.getModeCase());
        assertEquals(List.of(range(22, 22), range(80, 80), range(8000, 8080)), policy.getListed().getRangesList());
    }

    @Test
    void allAndNoneAreTheirOwnModesInAnyCaseAndSpacing() {
        assertEquals(PortPolicy.ModeCase.ALL, PortSpec.parse(" ALL ").getModeCase());
        assertEquals(PortPolicy.ModeCase.NONE, PortSpec.parse("none").getModeCase());
        assertEquals(List.of(range(22, 22), range(443, 443)), PortSpec.parse(" 22 , 443 ").getListed().getRangesList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"all", "none", "22", "22,80,8000-8080", "1-65535", "65535", "443,8443-8444"})
    void rendersTextThatParsesBackToTheSamePolicy(String text) {
        PortPolicy policy = PortSpec.parse(text);
        assertEquals(text, PortSpec.render(policy));
        assertEquals(policy, PortSpec.parse(PortSpec.render(policy)));
    }

    @Test
    void anUnsetPolicyRendersAsAllItsMeaningOnCreate() {
        assertEquals("all", PortSpec.render(PortPolicy.getDefaultInstance()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "70000            | port 70000 is out of range: ports are 1 to 65535",
            "0                | port 0 is out of range: ports are 1 to 65535",
            "80-70000         | port 70000 is out of range",
            "22,99999999999999999999999 | is out of range",
            "90-80            | the range 90-80 ends before it starts",
            "22,,80           | an empty entry in '22,,80'",
            "ssh              | 'ssh' is not a port or a range of ports",
            "22-              | '22-' is not a port or a range",
            "-22              | '-22' is not a port or a range",
            "22;80            | '22;80' is not a port or a range",
    })
    void refusesWhatIsNotAPortListWithAMessageSayingWhy(String text, String expected) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> PortSpec.parse(text));
        assertTrue(refused.getMessage().contains(expected), refused.getMessage());
    }

    @Test
    void refusesAnEmptySpec() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> PortSpec.parse(" "));
        assertTrue(refused.getMessage().contains("no ports given"), refused.getMessage());
    }

    @Test
    void refusesMoreRangesThanTheContractAllows() {
        String hundred = IntStream.rangeClosed(1, 100).mapToObj(Integer::toString).collect(Collectors.joining(","));
        assertEquals(100, PortSpec.parse(hundred).getListed().getRangesCount());
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> PortSpec.parse(hundred + ",101"));
        assertTrue(refused.getMessage().contains("at most 100"), refused.getMessage());
    }

    @Test
    void summaryNamesEveryProtocol() {
        assertEquals("tcp 80,443; udp none; icmp no", PortSpec.summary(PortSpec.parse("80,443"),
                PortPolicy.newBuilder().setNone(NoPorts.getDefaultInstance()).build(), false));
        assertEquals("tcp all; udp all; icmp yes", PortSpec.summary(PortPolicy.getDefaultInstance(), PortSpec.parse("all"), true));
    }

    @Test
    void whatAPersonCanReachIsTheTcpPortsAloneAndUdpOrIcmpInThePolicyIsNoticed() {
        assertEquals("tcp 80,443", PortSpec.reachable(PortSpec.parse("80,443")));
        assertEquals("tcp all", PortSpec.reachable(PortPolicy.getDefaultInstance()));
        PortPolicy noUdp = PortPolicy.newBuilder().setNone(NoPorts.getDefaultInstance()).build();
        assertFalse(PortSpec.allowsUncarried(noUdp, false));
        assertTrue(PortSpec.allowsUncarried(noUdp, true));
        assertTrue(PortSpec.allowsUncarried(PortSpec.parse("53"), false));
        assertTrue(PortSpec.allowsUncarried(PortPolicy.getDefaultInstance(), false), "unset UDP means all");
    }
}
