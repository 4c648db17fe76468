package dev.zerogate.relay.data;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.util.List;

/**
 * The addresses whose PROXY protocol header the public port honours: IP literals and CIDR
 * blocks, IPv4 and IPv6. Host names are refused (no DNS decides whom the relay believes).
 */
final class TrustedProxies {

    private record Block(byte[] network, int prefixBits) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefixBits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixBits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    static final TrustedProxies NONE = new TrustedProxies(List.of());

    private final List<Block> blocks;

    private TrustedProxies(List<Block> blocks) {
        this.blocks = blocks;
    }

    /** Parses {@code ZEROGATE_TRUSTED_PROXIES} entries; a bad one is a start-up error naming it. */
    static TrustedProxies parse(List<String> entries) {
        return new TrustedProxies(entries.stream().map(String::strip).filter(entry -> !entry.isEmpty())
                .map(TrustedProxies::block).toList());
    }

    private static Block block(String entry) {
        int slash = entry.indexOf('/');
        String address = slash < 0 ? entry : entry.substring(0, slash);
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
        if (bytes == null) {
            throw new IllegalArgumentException("ZEROGATE_TRUSTED_PROXIES (zerogate.relay.trusted-proxies): '" + entry
                    + "' is not an IP address or CIDR block");
        }
        int bits = bytes.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(entry.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > bytes.length * 8) {
                throw new IllegalArgumentException("ZEROGATE_TRUSTED_PROXIES (zerogate.relay.trusted-proxies): '" + entry
                        + "' has a prefix length outside 0.." + bytes.length * 8);
            }
        }
        return new Block(bytes, bits);
    }

    boolean isEmpty() {
        return blocks.isEmpty();
    }

    boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        return blocks.stream().anyMatch(block -> block.contains(bytes));
    }
}
