package dev.zerogate.servicekit.grant;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The shape of an access grant, shared by its issuer (policy-svc) and its verifiers (relays,
 * connectors) so that both read the same names. The contract is {@code AccessGrant} in
 * {@code zerogate/policy/v1/policy.proto}.
 */
public final class GrantClaims {

    private GrantClaims() {
    }

    /** Header {@code typ} of a grant; never {@code at+jwt}, so a grant is never taken for an access token. */
    public static final String TYPE = "zg-grant+jwt";
    /** The one JWS algorithm grants are signed with. */
    public static final String ALGORITHM = "ES256";
    /** A compact grant is at most this long (bytes of ASCII), as the proto says. */
    public static final int MAX_TOKEN_LENGTH = 4096;
    /** A grant lives at most this long ({@code exp - iat}), as the proto says. */
    public static final Duration MAX_LIFETIME = Duration.ofMinutes(5);

    /** {@code aud} value of relays. */
    public static final String RELAY_AUDIENCE = "zerogate-relay";
    /** {@code aud} value of connectors. */
    public static final String CONNECTOR_AUDIENCE = "zerogate-connector";
    /** Every grant names both enforcement points: the relay and the connector check one grant. */
    public static final List<String> AUDIENCES = List.of(RELAY_AUDIENCE, CONNECTOR_AUDIENCE);

    /** The remote network (UUID). */
    public static final String NETWORK = "zg_net";
    /** The matched resource (UUID). */
    public static final String RESOURCE = "zg_res";
    /** The rule that permitted (UUID). */
    public static final String RULE = "zg_rule";
    /** The destination as the client requested it: a host name or an IP address in text form. */
    public static final String DESTINATION = "zg_dst";
    /** {@code tcp}, {@code udp} or {@code icmp}. */
    public static final String PROTOCOL = "zg_proto";
    /** The destination port: 1 to 65535 for TCP and UDP, 0 for ICMP. */
    public static final String PORT = "zg_port";
    /** The device (UUID); absent when the caller has none (a service account without a device). */
    public static final String DEVICE = "zg_dev";
    /** The confirmation claim (RFC 7800); its member {@link #KEY_THUMBPRINT} is required. */
    public static final String CONFIRMATION = "cnf";
    /** RFC 7638 SHA-256 thumbprint of the key the flow's TLS session must prove. */
    public static final String KEY_THUMBPRINT = "jkt";

    public static final String TCP = "tcp";
    public static final String UDP = "udp";
    public static final String ICMP = "icmp";
    public static final Set<String> PROTOCOLS = Set.of(TCP, UDP, ICMP);
    /** Longest destination: a DNS name of 253 characters (IPv6 text is shorter). */
    public static final int MAX_DESTINATION_LENGTH = 253;

    /**
     * Whether {@code port} fits {@code protocol}: 1 to 65535 for TCP and UDP, exactly 0 for ICMP
     * (which has no ports), and nothing for an unknown protocol.
     */
    public static boolean portFits(String protocol, long port) {
        if (ICMP.equals(protocol)) {
            return port == 0;
        }
        return (TCP.equals(protocol) || UDP.equals(protocol)) && port >= 1 && port <= 65535;
    }
}
