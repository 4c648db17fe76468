package dev.zerogate.client.cli;

import dev.zerogate.proto.policy.v1.ResourceAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressSpecTest {

    @ParameterizedTest
    @CsvSource({
            "nas.lan,             FQDN,       nas.lan",
            "NAS,                 FQDN,       NAS",
            "pihole,              FQDN,       pihole",
            "*.lab.home,          WILDCARD,   *.lab.home",
            "10.0.0.5,            IP_ADDRESS, 10.0.0.5",
            "255.255.255.255,     IP_ADDRESS, 255.255.255.255",
            "fd00::5,             IP_ADDRESS, fd00::5",
            "::1,                 IP_ADDRESS, ::1",
            "2001:db8:0:0:0:0:2:1, IP_ADDRESS, 2001:db8:0:0:0:0:2:1",
            "::ffff:10.0.0.5,     IP_ADDRESS, ::ffff:10.0.0.5",
            "[fd00::5],           IP_ADDRESS, fd00::5",
            "10.0.0.0/24,         CIDR,       10.0.0.0/24",
            "fd00::/64,           CIDR,       fd00::/64",
            "'  nas.lan  ',       FQDN,       nas.lan",
    })
    void infersTheKindOfAddressFromItsForm(String text, ResourceAddress.KindCase kind, String stored) {
        ResourceAddress address = AddressSpec.parse(text);
        assertEquals(kind, address.getKindCase());
        assertEquals(stored, AddressSpec.render(address));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "\"\"          | the address is empty",
            "10.0.0.300    | '10.0.0.300' looks like an IPv4 address but is not one",
            "1.2.3         | '1.2.3' looks like an IPv4 address",
            "nas.lan:8080  | 'nas.lan:8080' is not an IPv6 address, nor a name",
            "fd00::zz      | 'fd00::zz' is not an IPv6 address",
            "1:2:3         | '1:2:3' is not an IPv6 address",
    })
    void refusesWhatOnlyLooksLikeAnAddress(String text, String expected) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> AddressSpec.parse(text));
        assertTrue(refused.getMessage().contains(expected), refused.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"nas.lan, fqdn", "*.lab.home, wildcard", "10.0.0.5, ip_address", "10.0.0.0/24, cidr"})
    void namesTheKindAsTheContractDoes(String text, String kind) {
        assertEquals(kind, AddressSpec.kind(AddressSpec.parse(text)));
    }
}
