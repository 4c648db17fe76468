package dev.zerogate.policy.engine.address;

import dev.zerogate.policy.engine.InvalidPolicyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResourceAddressTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "FQDN|pihole.lan|pihole.lan",
            "FQDN|PiHole.LAN.|pihole.lan",
            "FQDN|nas|nas",
            "FQDN|my-nas.home.arpa|my-nas.home.arpa",
            "WILDCARD|*.Lab.Home|*.lab.home",
            "WILDCARD|*.lab.home.|*.lab.home",
            "IP_ADDRESS|FD00:0:0::5|fd00::5",
            "IP_ADDRESS|::ffff:10.0.0.5|10.0.0.5",
            "CIDR|192.168.1.7/24|192.168.1.0/24",
            "CIDR|10.0.0.0/8|10.0.0.0/8",
            "CIDR|10.1.2.3/32|10.1.2.3/32",
            "CIDR|FD00:1:2:3:4::/64|fd00:1:2:3::/64",
            "CIDR|2001:db8::/32|2001:db8::/32",
            "CIDR|fd00::1/128|fd00::1/128",
    })
    void storesAddressesNormalised(AddressKind kind, String text, String normalised) {
        ResourceAddress address = ResourceAddress.parse(kind, text);
        assertEquals(kind, address.kind());
        assertEquals(normalised, address.text());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "FQDN|\"\"|is empty",
            "FQDN|pihole..lan|empty label",
            "FQDN|.pihole.lan|empty label",
            "FQDN|-pihole.lan|starts or ends with '-'",
            "FQDN|pihole-.lan|starts or ends with '-'",
            "FQDN|my_nas.lan|contains '_'",
            "FQDN|pihole lan|contains U+0020",
            "FQDN|bücher.lan|punycode",
            "FQDN|*.lab.home|wildcard is its own address kind",
            "FQDN|10.0.0.256.lan.1|numeric label",
            "FQDN|aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.lan|label of 64 characters",
            "WILDCARD|lab.home|write '*.' followed by a name",
            "WILDCARD|*|write '*.' followed by a name",
            "WILDCARD|a.*.home|write '*.' followed by a name",
            "WILDCARD|*.*.home|only a leading '*.'",
            "IP_ADDRESS|pihole.lan|'pihole.lan' is not an IPv4 address",
            "IP_ADDRESS|fe80::1%eth0|zone index",
            "CIDR|10.0.0.0|write address/prefix",
            "CIDR|10.0.0.0/7|prefix /7 is out of range: an IPv4 prefix must be /8 to /32",
            "CIDR|10.0.0.0/33|prefix /33 is out of range",
            "CIDR|fd00::/31|prefix /31 is out of range: an IPv6 prefix must be /32 to /128",
            "CIDR|fd00::/129|prefix /129 is out of range",
            "CIDR|10.0.0.0/|no valid prefix length",
            "CIDR|10.0.0.0/2a|no valid prefix length",
            "CIDR|::ffff:10.0.0.0/120|write it as an IPv4 CIDR",
    })
    void refusesMalformedAddressesWithAnActionableMessage(AddressKind kind, String text, String messageFragment) {
        InvalidPolicyException e = assertThrows(InvalidPolicyException.class, () -> ResourceAddress.parse(kind, text));
        assertTrue(e.getMessage().contains(messageFragment), e.getMessage());
        assertTrue(e.field().startsWith("address."), e.field());
    }

    @Test
    void refusesNamesLongerThan253Characters() {
        String name = ("a".repeat(62) + ".").repeat(4) + "lan"; // 255 characters
        InvalidPolicyException e = assertThrows(InvalidPolicyException.class, () -> ResourceAddress.parse(AddressKind.FQDN, name));
        assertTrue(e.getMessage().contains("253"), e.getMessage());
    }

    @ParameterizedTest(name = "*.lab.home matches {0}: {1}")
    @CsvSource({
            "a.lab.home,true",
            "x.y.lab.home,true",
            "lab.home,false",
            "evillab.home,false",
            "lab.home.evil,false",
            "home,false",
    })
    void wildcardMatchesNamesStrictlyBelowItsSuffix(String name, boolean matches) {
        ResourceAddress.Wildcard wildcard = (ResourceAddress.Wildcard) ResourceAddress.parse(AddressKind.WILDCARD, "*.lab.home");
        assertEquals(matches, wildcard.matches(DnsName.parse(name, "name")));
    }

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource({
            "192.168.1.0/24,192.168.1.0,true",
            "192.168.1.0/24,192.168.1.255,true",
            "192.168.1.0/24,192.168.2.0,false",
            "192.168.1.0/24,fd00::1,false",
            "fd00:1::/64,fd00:1::ffff:ffff:ffff:ffff,true",
            "fd00:1::/64,fd00:1:0:1::,false",
            "fd00::/32,fd00:0:ffff:1::1,true",
            "fd00::/32,fd00:1::1,false",
            "fd00::/32,fd01::1,false",
    })
    void cidrContainsExactlyItsAddresses(String cidr, String address, boolean contains) {
        ResourceAddress.Cidr prefix = (ResourceAddress.Cidr) ResourceAddress.parse(AddressKind.CIDR, cidr);
        assertEquals(contains, prefix.contains(IpAddress.parse(address, "address")));
    }

    @Test
    void onlyNamesAndSingleAddressesAreSingleHosts() {
        assertTrue(ResourceAddress.parse("pihole.lan").isSingleHost());
        assertTrue(ResourceAddress.parse("10.0.0.5").isSingleHost());
        assertFalse(ResourceAddress.parse("*.lab.home").isSingleHost());
        assertFalse(ResourceAddress.parse("10.0.0.0/24").isSingleHost());
    }
}
