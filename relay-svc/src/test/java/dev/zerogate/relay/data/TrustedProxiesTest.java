package dev.zerogate.relay.data;

import io.netty.util.NetUtil;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which peers' PROXY headers are honoured: addresses and CIDR blocks, v4 and v6, and bad entries. */
class TrustedProxiesTest {

    private record Case(String peer, boolean trusted) {
    }

    @Test
    void matchesAddressesAndCidrBlocksOfTheirOwnFamilyOnly() {
        TrustedProxies proxies = TrustedProxies.parse(List.of("127.0.0.2", " 10.9.0.0/16", "192.0.2.128/25", "2001:db8::/32", ""));
        for (Case c : List.of(
                new Case("127.0.0.2", true),
                new Case("127.0.0.1", false),
                new Case("10.9.255.1", true),
                new Case("10.10.0.1", false),
                new Case("192.0.2.200", true),
                new Case("192.0.2.127", false),
                new Case("2001:db8:1::5", true),
                new Case("2001:db9::5", false),
                new Case("::ffff:10.9.0.1", true))) { // Java reads an IPv4-mapped address as IPv4
            assertEquals(c.trusted(), proxies.contains(NetUtil.createInetAddressFromIpAddressString(c.peer())), c.peer());
        }
    }

    @Test
    void noneTrustsNobody() {
        assertTrue(TrustedProxies.NONE.isEmpty());
        assertEquals(false, TrustedProxies.NONE.contains(NetUtil.createInetAddressFromIpAddressString("127.0.0.1")));
    }

    @Test
    void aHostNameOrABadPrefixIsAStartUpErrorNamingTheEntry() {
        for (String bad : List.of("proxy.example.com", "10.0.0.0/33", "10.0.0.0/x", "::1/129")) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> TrustedProxies.parse(List.of(bad)));
            assertTrue(error.getMessage().contains("'" + bad + "'") && error.getMessage().contains("ZEROGATE_TRUSTED_PROXIES"),
                    error.getMessage());
        }
    }
}
