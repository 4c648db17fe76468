package dev.zerogate.policy.grant;

import dev.zerogate.servicekit.grant.GrantClaims;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a permitted decision grants, for {@link GrantIssuer}. Refuses, at construction, a grant
 * no verifier would accept, so that a bug surfaces where the grant is made.
 *
 * @param decisionId    the decision's id (UUID); the grant's {@code jti}
 * @param subject       the user or service account (UUID); {@code sub}
 * @param sessionId     the caller's login session (UUID); {@code sid}
 * @param networkId     the matched resource's remote network (UUID); {@code zg_net}
 * @param resourceId    the matched resource (UUID); {@code zg_res}
 * @param ruleId        the rule that permitted (UUID); {@code zg_rule}
 * @param destination   the destination as requested, at most 253 characters; {@code zg_dst}
 * @param protocol      "tcp", "udp" or "icmp"; {@code zg_proto}
 * @param port          1 to 65535 for TCP and UDP, 0 for ICMP; {@code zg_port}
 * @param deviceId      the caller's device (UUID), if any; {@code zg_dev}
 * @param keyThumbprint RFC 7638 thumbprint of the device's or service account's key; {@code cnf.jkt}
 * @param now           the instant of the decision; {@code iat}
 * @param notAfter      the latest instant the grant may live (the rule's expiry, the end of its
 *                      time window), if any
 */
public record GrantRequest(String decisionId, String subject, String sessionId, String networkId, String resourceId,
                           String ruleId, String destination, String protocol, int port, Optional<String> deviceId,
                           String keyThumbprint, Instant now, Optional<Instant> notAfter) {

    public GrantRequest {
        requireText(decisionId, "decisionId");
        requireText(subject, "subject");
        requireText(sessionId, "sessionId");
        requireText(networkId, "networkId");
        requireText(resourceId, "resourceId");
        requireText(ruleId, "ruleId");
        requireText(destination, "destination");
        requireText(keyThumbprint, "keyThumbprint");
        Objects.requireNonNull(deviceId, "deviceId");
        deviceId.ifPresent(id -> requireText(id, "deviceId"));
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(notAfter, "notAfter");
        if (destination.length() > GrantClaims.MAX_DESTINATION_LENGTH) {
            throw new IllegalArgumentException("destination is longer than " + GrantClaims.MAX_DESTINATION_LENGTH + " characters");
        }
        if (!GrantClaims.PROTOCOLS.contains(protocol)) {
            throw new IllegalArgumentException("protocol must be tcp, udp or icmp");
        }
        if (!GrantClaims.portFits(protocol, port)) {
            throw new IllegalArgumentException("port " + port + " does not fit " + protocol + " (1-65535, or 0 for icmp)");
        }
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }
}
