package dev.zerogate.policy.engine.address;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerogate.policy.engine.InvalidPolicyException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpAddressTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "192.168.1.1|192.168.1.1",
            "0.0.0.0|0.0.0.0",
            "255.255.255.255|255.255.255.255",
            "fd00::5|fd00::5",
            "FD00:0:0:0:0:0:0:5|fd00::5",
            "fd00:0000:0000:0000:0000:0000:0000:0005|fd00::5",
            "::|::",
            "::1|::1",
            "1::|1::",
            "2001:db8:0:0:1:0:0:1|2001:db8::1:0:0:1",
            "2001:db8:0:1:1:1:1:1|2001:db8:0:1:1:1:1:1",
            "2001:0:0:1:0:0:0:1|2001:0:0:1::1",
            "::192.0.2.1|::c000:201",
            "64:ff9b::192.0.2.33|64:ff9b::c000:221",
            "::ffff:192.168.1.1|192.168.1.1",
            "::FFFF:c0a8:0101|192.168.1.1",
    })
    void parsesEveryTextualFormToOneCanonicalText(String text, String canonical) {
        assertEquals(canonical, IpAddress.parse(text, "address").toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "10.0.0.256|256 is above 255",
            "10.0.0|four numbers",
            "10.0.0.1.2|four numbers",
            "010.0.0.1|leading zeros",
            "10.0.0.-1|not a number from 0 to 255",
            "fe80::1%eth0|zone index",
            "[fd00::1]|without brackets",
            "fd00::1::2|'::' may appear only once",
            "fd00:1:2:3:4:5:6|8 are needed",
            "fd00:1:2:3:4:5:6:7:8|more than 8 groups",
            "fd00::12345|1 to 4 hex digits",
            "fd00::g|1 to 4 hex digits",
            "1:2:3:4:5:6:7::8|too many groups",
            ":1::2|1 to 4 hex digits",
    })
    void refusesMalformedAddressesWithAReason(String text, String messageFragment) {
        InvalidPolicyException e = assertThrows(InvalidPolicyException.class, () -> IpAddress.parse(text, "address"));
        assertTrue(e.getMessage().contains(messageFragment), e.getMessage());
    }

    @ParameterizedTest(name = "{0}/{1} -> {2}")
    @CsvSource({
            "192.168.1.77,24,192.168.1.0",
            "192.168.1.77,32,192.168.1.77",
            "192.168.1.77,8,192.0.0.0",
            "fd00:1:2:3:4:5:6:7,64,fd00:1:2:3::",
            "fd00:1:2:3:4:5:6:7,65,fd00:1:2:3::",
            "fd00:1:2:3:8000:5:6:7,65,fd00:1:2:3:8000::",
            "fd00:1:2:3:4:5:6:7,128,fd00:1:2:3:4:5:6:7",
            "fd00:1:2:3:4:5:6:7,32,fd00:1::",
    })
    void masksKeepOnlyThePrefixBits(String address, int prefix, String expected) {
        assertEquals(expected, IpAddress.parseRaw(address, "address").masked(prefix).toString());
    }
}
